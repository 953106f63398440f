/**
 * URLs on internal addresses that registering a probe or a webhook must refuse (unless
 * OUTBOUND_ALLOW_PRIVATE is set), each with what the refusal must say: one per address class,
 * IPv4 and IPv6, the IPv4 spellings the URL parser rewrites, IPv4 carried in IPv6, and a name
 * that resolves to loopback.
 */
export const INTERNAL_URLS: [url: string, reason: RegExp][] = [
  ['http://127.0.0.1:8080/hook', /127\.0\.0\.1 is a loopback address/],
  ['http://2130706433/hook', /127\.0\.0\.1 is a loopback address/],
  ['http://0x7f.0.0.1/hook', /127\.0\.0\.1 is a loopback address/],
  ['http://0177.0.0.1/hook', /127\.0\.0\.1 is a loopback address/],
  ['http://127.1/hook', /127\.0\.0\.1 is a loopback address/],
  ['http://localhost:8080/hook', /localhost resolves to (127\.0\.0\.1|::1), a loopback address/],
  ['http://0.0.0.0/hook', /0\.0\.0\.0 is an unspecified address/],
  ['http://10.0.0.7/hook', /10\.0\.0\.7 is a private address/],
  ['http://172.16.5.4/hook', /172\.16\.5\.4 is a private address/],
  ['https://192.168.1.10/hook', /192\.168\.1\.10 is a private address/],
  ['http://169.254.169.254/latest/meta-data/', /169\.254\.169\.254 is a link-local address/],
  ['http://100.64.0.1/hook', /100\.64\.0\.1 is a carrier-grade NAT address/],
  ['http://224.0.0.1/hook', /224\.0\.0\.1 is a multicast address/],
  ['http://255.255.255.255/hook', /255\.255\.255\.255 is a broadcast address/],
  ['http://[::1]:8080/hook', /::1 is a loopback address/],
  ['http://[::]/hook', /:: is an unspecified address/],
  ['http://[fd12:3456::1]/hook', /fd12:3456::1 is a unique-local address/],
  ['http://[fe80::1]/hook', /fe80::1 is a link-local address/],
  ['http://[ff02::1]/hook', /ff02::1 is a multicast address/],
  ['http://[::ffff:127.0.0.1]/hook', /::ffff:7f00:1 is a loopback address \(it carries 127\.0\.0\.1\)/],
  ['http://[::ffff:169.254.169.254]/hook', /::ffff:a9fe:a9fe is a link-local address \(it carries 169\.254\.169\.254\)/],
  ['http://[::ffff:a00:1]/hook', /::ffff:a00:1 is a private address \(it carries 10\.0\.0\.1\)/],
];
