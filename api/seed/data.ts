/**
 * The words and numbers of the demo data: borrowers, loan officers, skills, integrations, and the
 * phrases a mortgage receptionist's conversations are assembled from.
 *
 * Templates use `{name}` placeholders, filled per conversation: first, last, officer, company,
 * assistant, rate30, apr30, rate15, rateFha, closingDate, slot, slot2, meeting, phone4, loan, opener.
 */

export const COMPANY = 'Harborview Mortgage';
export const ASSISTANT = 'Ava';

export const LEAD_STAGES = ['new', 'prescreened', 'application', 'underwriting', 'closed'] as const;
export type LeadStage = (typeof LEAD_STAGES)[number];

/** Borrowers: first name, last name, and whether they prefer Spanish. */
export const BORROWERS: readonly (readonly [string, string, boolean])[] = [
  ['Emily', 'Carter', false], ['Michael', 'Brennan', false], ['Sarah', 'Nguyen', false], ['David', 'Goldberg', false],
  ['Jessica', 'Patel', false], ['Christopher', 'Walsh', false], ['Ashley', 'Thompson', false], ['Matthew', "O'Connor", false],
  ['Amanda', 'Rossi', false], ['Joshua', 'Kim', false], ['Lauren', 'Mitchell', false], ['Daniel', 'Okafor', false],
  ['Megan', 'Sullivan', false], ['Ryan', 'Fitzgerald', false], ['Rachel', 'Cohen', false], ['Kevin', 'Tran', false],
  ['Nicole', 'Bianchi', false], ['Brian', 'Murphy', false], ['Stephanie', 'Lee', false], ['Jason', 'Alvarez', false],
  ['Heather', 'Campbell', false], ['Andrew', 'Shapiro', false], ['Melissa', 'Wright', false], ['Justin', 'Das', false],
  ['Kimberly', 'Foster', false], ['Eric', 'Johansson', false], ['Rebecca', 'Hughes', false], ['Tyler', 'Brooks', false],
  ['Samantha', 'Reyes', false], ['Brandon', 'Coleman', false], ['Olivia', 'Grant', false], ['Nathan', 'Park', false],
  ['Hannah', 'McCarthy', false], ['Jonathan', 'Weiss', false], ['Victoria', 'Adeyemi', false], ['Patrick', 'Doyle', false],
  ['Grace', 'Liu', false], ['Benjamin', 'Stewart', false], ['Chloe', 'Martin', false], ['Samuel', 'Hoffman', false],
  ['Natalie', 'Silva', false], ['Aaron', 'Friedman', false], ['Kayla', 'Robinson', false], ['Derek', 'Lindqvist', false],
  ['Priya', 'Sharma', false], ['Marcus', 'Bell', false], ['Allison', 'Kowalski', false], ['Trevor', 'Nakamura', false],
  ['Erin', 'Gallagher', false], ['Omar', 'Haddad', false], ['Caroline', 'Price', false], ['Sean', 'Donnelly', false],
  ['Lucía', 'Hernández', true], ['José', 'Ramírez', true], ['María', 'González', true], ['Carlos', 'Mendoza', true],
  ['Ana', 'Castillo', true], ['Javier', 'Morales', true], ['Rosa', 'Delgado', true], ['Miguel', 'Vargas', true],
];

/** How many borrowers are at each stage; the generator deals the stages out in a seeded order. */
export const STAGE_COUNTS: Record<LeadStage, number> = { new: 18, prescreened: 14, application: 10, underwriting: 8, closed: 10 };

/** Fictional phone numbers: 555-0100 to 555-0199 are reserved for fiction in every US area code. */
export const AREA_CODES = ['617', '508', '781', '978', '603'];

export const LOAN_OFFICERS = ['Dana Whitfield', 'Marcus Chen', 'Priya Raman', 'Luis Ortega'];
/** Speaks Spanish: Spanish-speaking borrowers are assigned to this loan officer. */
export const SPANISH_SPEAKING_OFFICER = 'Luis Ortega';
export const OPS_REVIEWERS = ['Jordan Ellis', 'Sam Whitaker', 'Rachel Kim'];
export const MEETING_KINDS = ['phone', 'video', 'in-office'] as const;

export type SkillCategory = 'scheduling' | 'sales' | 'support' | 'general';

export interface SkillDesign {
  name: string;
  category: SkillCategory;
  /** The designed probability that an activity naming the skill succeeds. */
  accuracy: number;
  /** A decline: accuracy falls linearly from `accuracy` `startDaysAgo` days ago to `to` now. */
  decline?: { startDaysAgo: number; to: number };
}

export const SKILL = {
  scheduling: 'Appointment Scheduling',
  rates: 'Rate Inquiry',
  prescreen: 'Pre-qualification Screening',
  documents: 'Document Status',
  refinance: 'Refinance Questions',
  programs: 'FHA/VA Loan Info',
  payments: 'Payment Questions',
  closing: 'Escrow & Closing',
  escalation: 'Emergency Escalation',
  faq: 'General FAQ',
  spanish: 'Spanish Language Support',
  voicemail: 'Voicemail Transcription',
} as const;

export const SKILL_DESIGNS: readonly SkillDesign[] = [
  { name: SKILL.scheduling, category: 'scheduling', accuracy: 0.95 },
  // A rate-sheet change a week ago left its knowledge stale: a sharp drop that needs retraining.
  { name: SKILL.rates, category: 'sales', accuracy: 0.94, decline: { startDaysAgo: 7, to: 0.55 } },
  { name: SKILL.prescreen, category: 'sales', accuracy: 0.91 },
  // A slow slide over the whole period, not yet steep enough to flag.
  { name: SKILL.documents, category: 'support', accuracy: 0.93, decline: { startDaysAgo: 14, to: 0.88 } },
  { name: SKILL.refinance, category: 'sales', accuracy: 0.89 },
  { name: SKILL.programs, category: 'sales', accuracy: 0.9 },
  { name: SKILL.payments, category: 'support', accuracy: 0.92 },
  { name: SKILL.closing, category: 'support', accuracy: 0.88 },
  { name: SKILL.escalation, category: 'support', accuracy: 0.97 },
  { name: SKILL.faq, category: 'general', accuracy: 0.93 },
  { name: SKILL.spanish, category: 'general', accuracy: 0.68 },
  { name: SKILL.voicemail, category: 'general', accuracy: 0.96 },
];

export const INTENTS = [
  'book_appointment',
  'rate_inquiry',
  'prequalification',
  'refinance',
  'document_status',
  'loan_program_info',
  'payment_question',
  'closing_escrow',
  'general_faq',
] as const;
export type Intent = (typeof INTENTS)[number];

export const INTENT_SKILL: Record<Intent, string> = {
  book_appointment: SKILL.scheduling,
  rate_inquiry: SKILL.rates,
  prequalification: SKILL.prescreen,
  refinance: SKILL.refinance,
  document_status: SKILL.documents,
  loan_program_info: SKILL.programs,
  payment_question: SKILL.payments,
  closing_escrow: SKILL.closing,
  general_faq: SKILL.faq,
};

/**
 * What a borrower calls about depends on where their loan is. The receptionist books consultations
 * for leads (`new` and `prescreened` borrowers, and `closed` ones asking to refinance), always after
 * pre-screening them in the same conversation; borrowers whose loan is under way arrange meetings
 * with their loan officer directly.
 */
export const INTENT_WEIGHTS: Record<LeadStage, Partial<Record<Intent, number>>> = {
  new: { rate_inquiry: 28, prequalification: 25, book_appointment: 15, loan_program_info: 14, general_faq: 12, refinance: 6 },
  prescreened: { book_appointment: 28, rate_inquiry: 20, document_status: 16, prequalification: 12, loan_program_info: 12, general_faq: 12 },
  application: { document_status: 38, rate_inquiry: 12, closing_escrow: 12, general_faq: 10, loan_program_info: 10 },
  underwriting: { document_status: 36, closing_escrow: 32, rate_inquiry: 8, general_faq: 7, payment_question: 5 },
  closed: { payment_question: 40, refinance: 25, closing_escrow: 15, general_faq: 10, document_status: 10 },
};

/**
 * The chance that a lead's conversation about an intent goes on to a prescreen (a lead asking to
 * book, or to get pre-approved, is always pre-screened), and the weight of a booking after it (the
 * generator scales it once the lead is pre-screened; nobody else books).
 */
export const PRESCREEN_CHANCE: Partial<Record<Intent, number>> = {
  rate_inquiry: 0.6,
  refinance: 0.65,
  loan_program_info: 0.6,
  general_faq: 0.25,
};
export const BOOKING_CHANCE: Record<Intent, number> = {
  book_appointment: 1,
  prequalification: 0.5,
  refinance: 0.4,
  rate_inquiry: 0.3,
  loan_program_info: 0.3,
  document_status: 0.05,
  closing_escrow: 0.08,
  payment_question: 0.03,
  general_faq: 0.08,
};

/** The summary's first clause: "<client> asked about today's rates". */
export const INTENT_SUMMARY: Record<Intent, string> = {
  book_appointment: 'asked to book a call with a loan officer',
  rate_inquiry: "asked about today's rates",
  prequalification: 'asked to get pre-approved',
  refinance: 'asked about refinancing',
  document_status: 'asked about the status of their documents',
  loan_program_info: 'asked about FHA and VA loan options',
  payment_question: 'asked about their mortgage payment',
  closing_escrow: 'asked about closing and escrow',
  general_faq: 'asked a general question',
};
/** What the receptionist follows up on, by stage: unfinished pre-approvals, missing documents, rate drops. */
export const OUTBOUND_INTENTS: Record<LeadStage, readonly Intent[]> = {
  new: ['prequalification', 'rate_inquiry', 'book_appointment'],
  prescreened: ['book_appointment', 'prequalification', 'document_status'],
  application: ['document_status'],
  underwriting: ['document_status'],
  closed: ['rate_inquiry'],
};
export const OUTBOUND_SUMMARY: Partial<Record<Intent, string>> = {
  document_status: 'missing documents',
  prequalification: 'an unfinished pre-approval',
  rate_inquiry: "today's lower rates",
  book_appointment: 'scheduling a consultation',
};

/** A prescreen answer and what it says about the loan. */
export interface PrescreenReply {
  text: string;
  loan_type: 'Conventional' | 'FHA' | 'VA' | 'Jumbo';
  purpose: 'purchase' | 'refinance';
}

/** A caller's words and the AI's answer to them. */
export type Exchange = readonly [caller: string, ai: string];

/**
 * An intent's lines: how callers open and what the AI answers (for pre-approvals and bookings,
 * the sentence that leads into the questions or the times), then follow-up questions.
 */
export interface IntentLines {
  exchanges: Exchange[];
  followUps: Exchange[];
}

/** A follow-up the AI starts: its opening message, and the borrower's possible replies with the AI's answers. */
export interface OutboundLines {
  opener: string;
  replies: Exchange[];
}

/** Everything said in one language. */
export interface Phrasebook {
  language: 'en' | 'es';
  weekdays: string[];
  months: string[];
  /** "{day} at {time}" */
  slot: string;
  /** "{month} {day}" */
  date: string;
  /** A meeting kind as it reads in a sentence: "an in-office" (consultation). */
  meetings: Record<(typeof MEETING_KINDS)[number], string>;
  greeting: string[];
  intents: Partial<Record<Intent, IntentLines>>;
  outbound: Partial<Record<Intent, OutboundLines>>;
  prescreenAsk: string[];
  prescreenReplies: PrescreenReply[];
  prescreenAck: string[];
  prescreenMisread: string[];
  bookingOffer: string[];
  bookingPickFirst: string[];
  bookingPickSecond: string[];
  bookingConfirm: string[];
  bookingFailed: string[];
  wrongAnswer: string[];
  uncertain: string[];
  systemError: Record<'calendly_api' | 'document_module' | 'crm_pipeline' | 'openai_api', string>;
  escalationAsk: string[];
  escalationReply: string[];
  agentGreeting: string[];
  callerToAgent: string[];
  transferFailed: string[];
  closingCaller: string[];
  closingAi: string[];
  unhappyCaller: string[];
  apology: string[];
  voicemailGreeting: string[];
  voicemailMessage: string;
  voicemailGarbled: string[];
  voicemailAck: string[];
  voicemailUnclear: string[];
  goodbye: string[];
}

export const ENGLISH: Phrasebook = {
  language: 'en',
  weekdays: ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'],
  months: ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'],
  slot: '{day} at {time}',
  date: '{month} {day}',
  meetings: { phone: 'a phone', video: 'a video', 'in-office': 'an in-office' },
  greeting: [
    'Thank you for calling {company}, this is {assistant}, the virtual assistant. How can I help you today?',
    "Hi, you've reached {company}. I'm {assistant}, the digital assistant — what can I do for you?",
    '{company}, this is {assistant}. How can I help?',
  ],
  intents: {
    rate_inquiry: {
      exchanges: [
        ['Hi, what are your rates looking like today for a 30-year fixed?', 'Today our 30-year fixed starts at {rate30}% ({apr30}% APR), assuming a 740+ score and 20% down. Your exact rate depends on credit, down payment and property type.'],
        ["I'm shopping around — what's your current rate on a 15-year?", 'The 15-year fixed is at {rate15}% today, against {rate30}% for the 30-year, with a 740+ score and 20% down.'],
        ["Can you tell me today's mortgage rates? We're looking at a house around $450k.", 'Today the 30-year fixed is at {rate30}% and the 15-year at {rate15}%. On $450k with 20% down, a loan officer can give you the exact payment.'],
        ['What rate could I get with a 720 credit score and 10% down?', 'With a 720 score and 10% down, a 30-year fixed prices around {rate30}% today, plus private mortgage insurance until you reach 20% equity.'],
        ["Are rates any better than last week? I'm trying to decide when to lock.", 'Rates moved a little this week: the 30-year fixed is at {rate30}% today. A loan officer can lock your rate for 45 days once you are under contract.'],
      ],
      followUps: [
        ['How long can I lock that rate for?', 'Standard locks are 30, 45 or 60 days. Longer locks cost a little more, and a float-down option is available if rates drop before closing.'],
        ['Do you charge points?', 'Points are optional. Each point costs 1% of the loan and usually lowers the rate by about a quarter percent. We can quote it both ways.'],
        ['Is that the APR or the interest rate?', "That's the interest rate; the APR is {apr30}% because it includes lender fees. You'll get an official Loan Estimate within three business days of applying."],
      ],
    },
    refinance: {
      exchanges: [
        ['I closed last year at 7.5% — does it make sense to refinance now?', "At today's {rate30}%, refinancing from 7.5% could lower your payment noticeably. A loan officer will compare the monthly savings against closing costs, which typically run 2 to 3% of the loan."],
        ['Can I do a cash-out refinance to pay for a kitchen remodel?', "Yes — a cash-out refinance lets you borrow up to 80% of your home's value. At around {rate30}% today, a loan officer can show you the new payment."],
        ['How much would it cost to refinance my current loan?', 'Closing costs on a refinance usually run 2 to 3% of the loan amount; you can pay them upfront or roll them into the new loan.'],
        ['I want to get rid of my PMI. Do I need to refinance for that?', 'Not necessarily. On a conventional loan you can ask your servicer to remove PMI once you reach 20% equity; they may order an appraisal.'],
      ],
      followUps: [
        ['Do I need a new appraisal?', "Usually yes, though some refinances qualify for an appraisal waiver. We'll know once we run your file."],
        ['How long does a refinance take?', 'Most refinances close 25 to 35 days after the application.'],
      ],
    },
    prequalification: {
      exchanges: [
        ["I'd like to get pre-approved for a home loan.", 'Happy to help with that.'],
        ['How much house can I afford? I make about $95k a year.', 'A quick prescreen will give you a solid estimate.'],
        ["We're first-time buyers — what do we need to get pre-qualified?", 'Congratulations! It starts with a few questions.'],
        ['My realtor says I need a pre-approval letter before we make an offer.', 'I can get that started right now.'],
      ],
      followUps: [],
    },
    book_appointment: {
      exchanges: [
        ["I'd like to schedule a call with a loan officer.", 'Sure, I can set that up.'],
        ['Can I book a time to go over my options with someone?', 'Of course.'],
        ['I need to reschedule my appointment with {officer}.', "No problem, let's find a new time."],
        ['Is anyone available to meet this week?', 'Yes, there are openings this week.'],
      ],
      followUps: [],
    },
    document_status: {
      exchanges: [
        ['Did you get the pay stubs I uploaded yesterday?', 'Yes — I see two pay stubs received yesterday. Still outstanding: your most recent W-2 and the last two months of bank statements.'],
        ['What documents are still missing from my file?', "Your file is missing the signed purchase contract and your homeowners insurance quote. I'm texting you the secure upload link now."],
        ['I uploaded my bank statements — can you confirm you have them?', 'I can confirm we received your bank statements; underwriting will review them within 48 hours.'],
        ['Underwriting asked for a letter of explanation. Where do I send it?', "Upload the letter of explanation in your portal under 'Conditions'. I'll let your processor know it's coming."],
      ],
      followUps: [
        ['Is my loan still on track to close on time?', 'Yes, your file is on schedule for {closingDate}. Your processor will reach out if anything else is needed.'],
        ['Can I just email them instead?', "For your security please use the portal — email isn't encrypted end to end."],
      ],
    },
    loan_program_info: {
      exchanges: [
        ['Do you do FHA loans? How much do I need down?', "Yes. FHA loans need as little as 3.5% down with a 580+ credit score; today's FHA rate is about {rateFha}%."],
        ["I'm a veteran — can I use my VA benefit with you?", "Absolutely — VA loans need no down payment and no monthly mortgage insurance. You'll need a Certificate of Eligibility, which we can pull for you."],
        ["What's the minimum credit score for an FHA loan?", 'FHA allows scores down to 580 with 3.5% down, or 500 to 579 with 10% down, though most approvals we see are 620 and up.'],
        ['Is there mortgage insurance on a VA loan?', 'VA loans have no monthly mortgage insurance. There is a one-time funding fee, waived if you receive VA disability compensation.'],
      ],
      followUps: [
        ['Can I use gift money for the down payment?', 'Yes, gift funds from family are allowed on FHA and conventional loans with a signed gift letter.'],
        ['Can I use my VA benefit more than once?', 'Yes — entitlement is restored after you sell, and you may have remaining entitlement to use now.'],
      ],
    },
    payment_question: {
      exchanges: [
        ['When is my first mortgage payment due?', "Your first payment is due on the 1st of the second month after closing. Your servicer's welcome letter lists the payment options."],
        ['Why did my monthly payment go up this month?', "Your payment went up because of an escrow shortage: property taxes rose, so the escrow portion increased. Principal and interest didn't change."],
        ['How do I set up autopay for my mortgage?', "You can enroll in autopay in the servicing portal under 'Payments'. It starts with the next billing cycle."],
        ["I'm going to be a few days late on my payment — will I get a late fee?", 'There is a 15-day grace period; a late fee applies only if the payment arrives after the 16th.'],
      ],
      followUps: [['Can I make extra principal payments?', "Yes, with no prepayment penalty. Just mark the extra amount as 'principal only'."]],
    },
    closing_escrow: {
      exchanges: [
        ['Are we still on track to close on {closingDate}?', "Yes — closing is scheduled for {closingDate}. You'll receive the Closing Disclosure at least three business days before."],
        ['How much do I need to bring to closing?', 'Your estimated cash to close is on page 3 of your Loan Estimate; the exact figure will be on the Closing Disclosure. Only wire funds after calling the title company at a number you already trust.'],
        ["What's escrow and why is it part of my payment?", 'Escrow is an account your servicer uses to pay your property taxes and homeowners insurance; it is collected monthly with your payment.'],
        ['When will I get my Closing Disclosure?', "It goes out at least three business days before {closingDate}, and you'll sign it electronically in the portal."],
      ],
      followUps: [
        ['Can we do the final walkthrough the day before?', 'Yes — schedule it with your agent, ideally within 24 hours of closing.'],
        ['What should I bring to closing?', "A government-issued photo ID and proof of your wire, or a cashier's check."],
      ],
    },
    general_faq: {
      exchanges: [
        ['What are your office hours?', "Our loan officers are in Monday to Friday, 9 AM to 6 PM, and Saturday 10 AM to 2 PM. I'm here around the clock."],
        ['Are you licensed in New Hampshire?', 'Yes, we lend in Massachusetts, New Hampshire, Rhode Island and Connecticut.'],
        ['Do you work with self-employed borrowers?', 'We do — usually with two years of tax returns, or through a bank-statement program.'],
        ['How long does the whole mortgage process take?', 'From application to closing usually takes 30 to 45 days.'],
      ],
      followUps: [['Is there a fee to apply?', "No application fee. The appraisal fee is collected once you're under contract."]],
    },
  },
  outbound: {
    document_status: {
      opener: 'Hi {first}, this is {assistant} from {company}. Your file is still missing your two most recent bank statements — could you upload them this week?',
      replies: [
        ['Yes, sorry — which months do you need?', 'The two most recent full months, every page. The upload link is in your portal under Documents.'],
        ["I'll upload them tonight. Do you need every page?", 'Yes, every page please, even the blank ones — underwriting checks that nothing is missing.'],
      ],
    },
    prequalification: {
      opener: 'Hi {first}, {assistant} from {company} here. You started a pre-approval with us last week — would you like to finish it now? It takes about five minutes.',
      replies: [
        ["Sure, let's do it now.", 'Great.'],
        ['Yes, I got busy. What else do you need from me?', 'Just a few answers.'],
      ],
    },
    rate_inquiry: {
      opener: 'Hi {first}, {assistant} from {company}. Rates dropped to {rate30}% today — would you like {officer} to run new numbers for you?',
      replies: [
        ['Yes, what would my payment be at that rate?', '{officer} will send you an exact comparison; as a rule of thumb, each quarter point lowers the payment by about $15 a month per $100k borrowed.'],
        ['Maybe — how much would I save?', 'It depends on your balance and closing costs; {officer} will compare the monthly savings against the costs so you can see the break-even point.'],
      ],
    },
    book_appointment: {
      opener: "Hi {first}, it's {assistant} from {company}, following up on your inquiry. Would you like to set up a call with {officer}?",
      replies: [
        ['Yes, that would be great.', 'Wonderful.'],
        ['Sure, later this week works.', 'Perfect.'],
      ],
    },
  },
  prescreenAsk: [
    'A few quick questions: are you buying or refinancing, what price range are you looking at, and roughly what is your credit score?',
    'To point you to the right loan: is this a purchase or a refinance, about how much is the home, and what range is your credit in?',
  ],
  prescreenReplies: [
    { text: "Buying, around $425k, and my credit's about 720.", loan_type: 'Conventional', purpose: 'purchase' },
    { text: "First home, somewhere between $350k and $400k. Credit's in the high 600s.", loan_type: 'FHA', purpose: 'purchase' },
    { text: "We're looking at $600k with 20% down; both our scores are over 760.", loan_type: 'Conventional', purpose: 'purchase' },
    { text: "Probably $380k, and I'm a veteran if that matters.", loan_type: 'VA', purpose: 'purchase' },
    { text: 'Refinancing — the house is worth about $550k and we owe $310k. Credit around 740.', loan_type: 'Conventional', purpose: 'refinance' },
    { text: 'Buying in Newton, about $1.1 million, 25% down, credit 780.', loan_type: 'Jumbo', purpose: 'purchase' },
  ],
  prescreenAck: [
    "Thanks — with that profile you'd likely fit a {loan} loan. I've saved your answers so {officer} can issue a pre-approval quickly.",
    "Got it. That looks like a good fit for a {loan} loan; I've added your details to your file.",
  ],
  prescreenMisread: ['Thanks. So you are refinancing a property worth $42,500 with a credit score around 72 — is that right?'],
  bookingOffer: [
    'I can set up {meeting} consultation with {officer}. I have {slot} or {slot2} — which works better?',
    '{officer} has openings {slot} and {slot2}. Would either of those work for {meeting} meeting?',
  ],
  bookingPickFirst: ['The first one works for me.', "Let's do the earlier one.", 'Either is fine — the first.'],
  bookingPickSecond: ['The second one, please.', '{slot2} is better for me.'],
  bookingConfirm: [
    "You're booked with {officer} for {slot}. I've sent a calendar invite and a text reminder to the number ending in {phone4}.",
    "Done — {officer} will meet you {slot}. You'll get a confirmation text shortly.",
  ],
  bookingFailed: ["I'm sorry, that time was just taken and I couldn't find another opening this week. {officer} will reach out to schedule."],
  wrongAnswer: [
    'Mortgage rates depend on several factors, including your credit score and down payment.',
    'You can find more information about that in your borrower portal.',
    'Our loan officers are available Monday to Friday, 9 AM to 6 PM.',
  ],
  uncertain: [
    "I'm not completely sure about that, and I don't want to give you wrong information. I'll have {officer} follow up with a precise answer.",
    "That's outside what I can answer confidently. I've noted your question for a loan officer.",
  ],
  systemError: {
    calendly_api: "I'm having trouble reaching our scheduling system right now. I've saved your request and {officer} will confirm a time by text.",
    document_module: "I can't pull up your document checklist at the moment. I've asked your processor to text you the list today.",
    crm_pipeline: "I can't open your loan file right now; someone will call you back shortly.",
    openai_api: "Sorry, I'm having a technical problem on my end. Let me have a loan officer call you back.",
  },
  escalationAsk: [
    'Can I just talk to a real person?',
    "I'd rather speak with my loan officer directly.",
    'This is urgent — our closing is tomorrow and the wire instructions changed. I need someone now.',
    'Can you transfer me to someone?',
  ],
  escalationReply: [
    "Of course. I'm connecting you with {officer} now and passing along what we've discussed.",
    "Understood — I'm transferring you to {officer} right away.",
  ],
  agentGreeting: ["Hi {first}, this is {officer}. I've got your notes — how can I help?", "{first}, {officer} here. I see what you were asking about; let's sort it out."],
  callerToAgent: ['Thanks. So here is my question…', 'Great, thank you for picking up.'],
  transferFailed: ["I'm sorry, I couldn't reach {officer} just now. I've flagged your request as urgent and they'll call you back within the hour."],
  closingCaller: ['Great, thanks for your help!', "Perfect, that's all I needed.", 'Thanks, that helps.', 'Okay, thank you.'],
  closingAi: ["You're welcome, {first}! Have a great day.", 'Glad I could help, {first}. Reach out anytime.'],
  unhappyCaller: ["That doesn't really answer my question. I'll call back.", "Okay… I'll try again later.", 'Fine, just have someone call me.'],
  apology: ["I'm sorry about that, {first}. I've noted your question and a loan officer will follow up."],
  voicemailGreeting: ["Thanks for calling {company}. Our loan officers are out right now — I'm {assistant}, and I can take a detailed message."],
  voicemailMessage: 'Hi, this is {first} {last}. {opener} Please call me back at this number.',
  voicemailGarbled: ['Hi, this is … [inaudible] … about the … closing on … call me back.'],
  voicemailAck: ["Thanks, {first}. I've logged your message and {officer} will call you back as soon as the office opens."],
  voicemailUnclear: ["Thanks for your message. I couldn't make out every detail, so {officer} will call you back to confirm."],
  goodbye: ['Okay, thanks. Bye.', 'Thank you, bye.'],
};

export const SPANISH: Phrasebook = {
  language: 'es',
  weekdays: ['lunes', 'martes', 'miércoles', 'jueves', 'viernes', 'sábado', 'domingo'],
  months: ['enero', 'febrero', 'marzo', 'abril', 'mayo', 'junio', 'julio', 'agosto', 'septiembre', 'octubre', 'noviembre', 'diciembre'],
  slot: 'el {day} a las {time}',
  date: '{day} de {month}',
  meetings: { phone: 'telefónica', video: 'por video', 'in-office': 'en la oficina' },
  greeting: ['Gracias por llamar a {company}. Soy {assistant}, la asistente virtual. ¿En qué le puedo ayudar?'],
  intents: {
    rate_inquiry: {
      exchanges: [
        ['Hola, ¿cuál es la tasa de interés hoy para un préstamo fijo a 30 años?', 'Hoy la tasa fija a 30 años empieza en {rate30}% y a 15 años en {rate15}%, con un crédito de 740 o más y 20% de enganche.'],
        ['¿Qué tasa me darían con un crédito de 700 y 10% de enganche?', 'Con 700 de crédito y 10% de enganche, la tasa fija a 30 años estaría alrededor de {rate30}% hoy, más el seguro hipotecario hasta llegar a 20% de capital.'],
      ],
      followUps: [['¿Por cuánto tiempo puedo asegurar la tasa?', 'Normalmente 30, 45 o 60 días. Un oficial de préstamos puede asegurarla cuando tenga contrato de compra.']],
    },
    prequalification: {
      exchanges: [
        ['Quiero precalificar para comprar una casa.', 'Con gusto le ayudo.'],
        ['¿Cuánto me prestarían? Gano unos $70,000 al año.', 'Con unas preguntas rápidas le doy un estimado.'],
      ],
      followUps: [],
    },
    book_appointment: {
      exchanges: [
        ['Quisiera una cita con un oficial de préstamos que hable español.', 'Claro que sí.'],
        ['¿Puedo hablar con {officer} esta semana?', 'Sí, tiene horarios disponibles.'],
      ],
      followUps: [],
    },
    document_status: {
      exchanges: [
        ['¿Recibieron los talones de pago que subí ayer?', 'Sí, recibimos dos talones de pago ayer. Todavía faltan su W-2 más reciente y los estados de cuenta de los últimos dos meses.'],
        ['¿Qué documentos faltan en mi expediente?', 'Faltan el contrato de compra firmado y la cotización del seguro de la casa. Le envío el enlace seguro para subirlos.'],
      ],
      followUps: [['¿Sigue todo a tiempo para el cierre?', 'Sí, el cierre sigue programado para el {closingDate}.']],
    },
    payment_question: {
      exchanges: [
        ['¿Por qué subió mi pago mensual?', 'Su pago subió porque aumentaron los impuestos de la propiedad y la cuenta de depósito en garantía (escrow) necesita más fondos.'],
        ['¿Cuándo vence mi primer pago?', 'El primer pago vence el día 1 del segundo mes después del cierre. Su administrador le enviará una carta con las opciones de pago.'],
      ],
      followUps: [['¿Puedo pagar más al capital?', 'Sí, sin penalidad. Indique que el monto extra es solo para el capital.']],
    },
    loan_program_info: {
      exchanges: [['¿Ustedes hacen préstamos FHA? ¿Cuánto necesito de enganche?', 'Sí. Con FHA puede dar solo 3.5% de enganche con un crédito de 580 o más; hoy la tasa FHA está en {rateFha}%.']],
      followUps: [['¿Puedo usar dinero regalado para el enganche?', 'Sí, con una carta de regalo firmada por su familiar.']],
    },
  },
  outbound: {
    document_status: {
      opener: 'Hola {first}, le habla {assistant} de {company}. Todavía nos faltan sus dos últimos estados de cuenta. ¿Los puede subir esta semana?',
      replies: [['Sí, perdón. ¿De qué meses los necesitan?', 'De los dos meses completos más recientes, con todas las páginas. El enlace está en el portal, en Documentos.']],
    },
    book_appointment: {
      opener: 'Hola {first}, soy {assistant} de {company}. ¿Le gustaría hacer una cita con {officer}?',
      replies: [['Sí, me interesa.', 'Excelente.']],
    },
  },
  prescreenAsk: ['Unas preguntas rápidas: ¿va a comprar o refinanciar, en qué rango de precio busca y cuál es su puntaje de crédito aproximado?'],
  prescreenReplies: [
    { text: 'Comprar, unos $350,000, y mi crédito está como en 680.', loan_type: 'FHA', purpose: 'purchase' },
    { text: 'Comprar, $420,000, con 10% de enganche. Crédito de 720.', loan_type: 'Conventional', purpose: 'purchase' },
  ],
  prescreenAck: ['Gracias. Con ese perfil probablemente califica para un préstamo {loan}. Ya guardé sus datos para {officer}.'],
  prescreenMisread: ['Gracias. Entonces quiere refinanciar una propiedad de $35,000, ¿correcto?'],
  bookingOffer: ['Puedo agendar una consulta {meeting} con {officer}. Tengo {slot} o {slot2}. ¿Cuál prefiere?'],
  bookingPickFirst: ['La primera, por favor.'],
  bookingPickSecond: ['La segunda me queda mejor.'],
  bookingConfirm: ['Listo, su cita con {officer} es {slot}. Le enviamos un mensaje de confirmación.'],
  bookingFailed: ['Lo siento, ese horario ya no está disponible. {officer} le llamará para agendar.'],
  wrongAnswer: ['Las tasas dependen de varios factores, como su crédito y su enganche.'],
  uncertain: ['No estoy segura de haber entendido bien, y no quiero darle información incorrecta. {officer} le llamará con una respuesta precisa.'],
  systemError: {
    calendly_api: 'Tengo problemas para conectarme con el sistema de citas. {officer} le confirmará la hora por mensaje.',
    document_module: 'No puedo ver su lista de documentos en este momento. Su procesador le enviará la lista hoy.',
    crm_pipeline: 'No puedo abrir su expediente ahora; alguien le devolverá la llamada pronto.',
    openai_api: 'Disculpe, tengo un problema técnico. Un oficial de préstamos le llamará.',
  },
  escalationAsk: ['¿Puedo hablar con una persona, por favor?', 'Prefiero hablar directamente con {officer}.'],
  escalationReply: ['Claro, le comunico con {officer} ahora mismo.'],
  agentGreeting: ['Hola {first}, habla {officer}. Ya tengo sus notas, ¿en qué le ayudo?'],
  callerToAgent: ['Gracias, {officer}.'],
  transferFailed: ['Lo siento, no pude comunicarme con {officer}. Marqué su solicitud como urgente y le llamará dentro de una hora.'],
  closingCaller: ['Muchas gracias.', 'Perfecto, eso era todo.'],
  closingAi: ['Con mucho gusto, {first}. ¡Que tenga buen día!'],
  unhappyCaller: ['Eso no contesta mi pregunta. Llamo después.', 'Bueno, que me llame alguien.'],
  apology: ['Disculpe, {first}. Anoté su pregunta y un oficial de préstamos le llamará.'],
  voicemailGreeting: ['Gracias por llamar a {company}. Nuestros oficiales no están disponibles; soy {assistant} y puedo tomar su mensaje.'],
  voicemailMessage: 'Hola, habla {first} {last}. {opener} Por favor llámeme a este número.',
  voicemailGarbled: ['Hola, habla … [inaudible] … sobre el … cierre … llámeme.'],
  voicemailAck: ['Gracias, {first}. {officer} le devolverá la llamada en cuanto abra la oficina.'],
  voicemailUnclear: ['Gracias por su mensaje. No entendí todos los detalles; {officer} le llamará para confirmar.'],
  goodbye: ['Gracias, adiós.'],
};

/** Questions no skill covers: what the caller asked, the topic, and the skill that should take it. */
export const UNCOVERED_TOPICS: readonly { question: string; topic: string; route: string }[] = [
  { question: "What's the draw period on a HELOC, and can I pay interest only during it?", topic: 'HELOC draw periods', route: SKILL.rates },
  { question: 'Can I use crypto for part of my down payment?', topic: 'cryptocurrency as down-payment funds', route: SKILL.prescreen },
  { question: 'Do you do bridge loans so I can buy before I sell?', topic: 'bridge loans', route: SKILL.refinance },
  { question: 'Can I get a mortgage with an ITIN instead of a Social Security number?', topic: 'ITIN mortgages', route: SKILL.prescreen },
  { question: 'Is a 2-1 buydown better than paying points?', topic: 'temporary 2-1 buydowns', route: SKILL.rates },
  { question: 'How does a reverse mortgage work for my parents?', topic: 'reverse mortgages', route: SKILL.faq },
  { question: 'Can I take my current low rate with me to a new house?', topic: 'portable mortgages', route: SKILL.refinance },
  { question: 'Does my student loan on income-driven repayment count as 0.5% or the actual payment?', topic: 'student-loan payments in debt-to-income', route: SKILL.prescreen },
  { question: 'Can the seller pay my closing costs on a VA loan? How much?', topic: 'VA seller concessions', route: SKILL.programs },
  { question: 'Does the escrow cushion have to be two months?', topic: 'escrow cushion limits', route: SKILL.closing },
  { question: 'If I go into forbearance, does it show up on my credit?', topic: 'forbearance credit reporting', route: SKILL.payments },
  { question: "What's the status of my appraisal?", topic: 'appraisal status', route: SKILL.documents },
];

/** Why a skill answers with low confidence, and what fixes it. */
export const LOW_CONFIDENCE_DIAGNOSES: Record<string, { root_cause: string; recommended_fix: string }> = {
  [SKILL.rates]: {
    root_cause: 'Rate Inquiry answers from a rate sheet that was not updated after last week\'s pricing change, so its quotes disagree with the pricing engine',
    recommended_fix: 'Upload the current rate sheet to the knowledge base and retrain Rate Inquiry on it',
  },
  [SKILL.spanish]: {
    root_cause: "Spanish mortgage terms (enganche, tasa fija, depósito en garantía) are understood with low confidence",
    recommended_fix: 'Add a Spanish mortgage glossary to the speech model and retrain Spanish Language Support',
  },
  [SKILL.documents]: {
    root_cause: 'The document checklist comes from a nightly export and lags portal uploads by up to a day',
    recommended_fix: "Read document status from the portal's upload events instead of the nightly checklist export",
  },
};

/** Components the receptionist depends on (SPEC §2), with their usual check latency in ms. */
export const COMPONENTS: readonly { name: string; latency: number }[] = [
  { name: 'sms_integration', latency: 120 },
  { name: 'voice_endpoint', latency: 150 },
  { name: 'calendly_api', latency: 210 },
  { name: 'crm_pipeline', latency: 320 },
  { name: 'outlook_sync', latency: 300 },
  { name: 'teams_sync', latency: 250 },
  { name: 'zapier_triggers', latency: 400 },
  { name: 'document_module', latency: 180 },
  { name: 'openai_api', latency: 650 },
  { name: 'claude_api', latency: 580 },
  { name: 'pinecone_db', latency: 90 },
];
