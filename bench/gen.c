/* gen.c - the post text generator: draws sentences from a pool of ordinary posts (health
 * education, advocacy, conference notes, personal life) and a pool that the rules flag. */
#include "gen.h"

#include <string.h>

/* What a physician writes most of the time: none of this should be flagged. */
static const char *const fine[] = {
    "Flu shots are in at most pharmacies this week, and they are free for everyone over six months. ",
    "Reminder that the clinic is closed on Monday for Thanksgiving 🦃. ",
    "Great session at the Manitoba family medicine conference today on deprescribing in older adults. ",
    "Our ER waits are a policy failure, not a staffing failure: the province needs to fund more acute beds. ",
    "Hand washing still beats almost everything else we do for infection control 🧼. ",
    "Proud of our residents, who ran the simulation day without a single hiccup! ",
    "New evidence review: screening intervals for colorectal cancer, summarised in the thread below 👇. ",
    "I spent the weekend at the lake with the kids and did not check my email once ☀️. ",
    "Ce matin, j'ai présenté nos résultats sur la vaccination en région éloignée à Québec. ",
    "La santé mentale des médecins mérite qu'on en parle davantage, sans honte 💬. ",
    "If you are a learner interested in rural practice, our program has summer placements open. ",
    "Heat warning this week: check on older neighbours and drink water before you are thirsty 💧. ",
    "My personal view, not the consensus: we should rethink how we schedule follow-up visits. ",
    "Thanks to the nurses on 4B, who make every night shift better 🙏. ",
    "We know that smoking cessation programs work best when combined with counselling. ",
    "Career news: I am joining the department of family medicine as an assistant professor in January 🎉. ",
    "Naïve question for the statisticians here: why do we still report p-values without effect sizes? ",
    "The waiting list for hip replacements in this province is a disgrace, and I will keep saying so. ",
    "Le dépistage du cancer du col de l'utérus a changé : parlez-en à votre médecin de famille. ",
    "Book club pick this month is a memoir by a palliative care physician; highly recommended 📚. ",
    "Measles is back in several provinces: check your vaccination record, especially before travel ✈️. ",
    "Residents, remember the wellness half-day on Thursday; lunch is on the department 🥪. ",
    "Looking forward to the debate on scope of practice at the annual meeting in Brandon. ",
    "Le café de l'hôpital a enfin un menu végétarien, et c'est délicieux ☕. ",
};

/* What the rules are for: identifiable patients, contempt, advice to individuals, numbers,
 * boundaries, promotion, posting while upset. */
static const char *const flagged[] = {
    "67M from Gimli in bed 4 at Johnson Memorial last night with a rare sarcoma. ",
    "Sick of the drug seekers in my waiting room every single Friday 🙄. ",
    "DM me your symptoms and I will tell you whether you need antibiotics. ",
    "Her PHN is 9734 281 656, can someone at the front desk fix the referral? ",
    "OHIP 4532 015 114 rejected again, third time this week. ",
    "My patient in room 12 at the Rimouski hospital finally went home yesterday. ",
    "Another frequent flyer tonight, the same junkie as last week 😤. ",
    "Ma patiente de 34 ans à Rimouski hier soir, une histoire incroyable. ",
    "Use my code DOCSAVE20 for 20% off this supplement, it cures fatigue 💊. ",
    "I AM SO DONE WITH THIS HOSPITAL!!!! SIX HOURS FOR A CT READ!!!! ",
    "Live from the OR, on call and bored, swipe for the photo 📸. ",
    "Just between us in this closed group: you will never guess who came into the ER today. ",
    "Text me your lab results and I can interpret them for you tonight. ",
    "This treatment is 100% guaranteed to reverse diabetes in two weeks. ",
    "Dr. Smith at our clinic is a total incompetent and a danger to his patients. ",
    "Looked up my patient on Instagram last night, wow. ",
    "The 82 yo from Winnipeg we saw this morning had the rarest tumour I have seen. ",
    "Cute patient in bed 7 today, might ask her out once she is discharged 😉. ",
};

#define NFINE (sizeof fine / sizeof *fine)
#define NFLAGGED (sizeof flagged / sizeof *flagged)

void pg_gen_init(pg_gen *g, uint64_t seed, int flagged_percent) {
    g->state = seed ? seed : 0x9E3779B97F4A7C15ull;
    g->flagged_percent = flagged_percent;
}

static uint64_t next(pg_gen *g) {
    uint64_t x = g->state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    g->state = x;
    return x * 0x2545F4914F6CDD1Dull;
}

static const char *sentence(pg_gen *g) {
    if ((int)(next(g) % 100) < g->flagged_percent) return flagged[next(g) % NFLAGGED];
    return fine[next(g) % NFINE];
}

static size_t char_len(unsigned char c) {
    if (c < 0x80) return 1;
    if (c >= 0xF0) return 4;
    if (c >= 0xE0) return 3;
    return 2;
}

size_t pg_gen_count_chars(const char *s, size_t len) {
    size_t n = 0;
    for (size_t i = 0; i < len; i++) n += ((unsigned char)s[i] & 0xC0) != 0x80;
    return n;
}

size_t pg_gen_post_chars(pg_gen *g, char *out, size_t cap, size_t chars) {
    if (cap < 4 * chars + 1) return 0;
    size_t len = 0, n = 0;
    while (n < chars) {
        const char *s = sentence(g);
        for (size_t i = 0; s[i] && n < chars;) {
            size_t k = char_len((unsigned char)s[i]);
            memcpy(out + len, s + i, k);
            len += k;
            i += k;
            n++;
        }
    }
    out[len] = '\0';
    return len;
}

size_t pg_gen_post_bytes(pg_gen *g, char *out, size_t bytes) {
    size_t len = 0;
    for (;;) {
        const char *s = sentence(g);
        for (size_t i = 0; s[i];) {
            size_t k = char_len((unsigned char)s[i]);
            if (len + k > bytes) {
                out[len] = '\0';
                return len;
            }
            memcpy(out + len, s + i, k);
            len += k;
            i += k;
        }
    }
}
