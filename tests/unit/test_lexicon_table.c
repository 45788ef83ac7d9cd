/* test_lexicon_table.c - Check suite for the lexicon key tables (host/lib/lexicon.c): keys
 * stored once in a blob, 12-byte slots, word prefixes pointing into a term's bytes, inline
 * and shared lexicon lists, growth past the reserved size, and terms added after a scan. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* A pack holding only lexicons, enough for pg_scratch_prepare and pg_lexicon_scan. */
typedef struct fixture {
    pg_pack p;
    pg_scratch sc;
} fixture;

static fixture *fx_new(void) {
    fixture *f = calloc(1, sizeof *f);
    ck_assert_ptr_nonnull(f);
    f->p.arena = pg_arena_new();
    ck_assert_ptr_nonnull(f->p.arena);
    return f;
}

static void fx_free(fixture *f) {
    pg_scratch_free(&f->sc);
    pg_lexicons_free(&f->p.lex);
    pg_arena_free(f->p.arena);
    free(f);
}

static int lex(fixture *f, const char *name) {
    int li = pg_lexicon_add(&f->p.lex, f->p.arena, name, "test");
    ck_assert_int_ge(li, 0);
    return li;
}

static void term(fixture *f, int li, const char *t) {
    pg_error err;
    pg_error_clear(&err);
    ck_assert_msg(pg_lexicon_add_term(&f->p.lex, f->p.arena, li, t, &err) == PG_OK, "%s: %s", t,
                  err.message);
}

/* Scan text; the scratch then holds each lexicon's hits. */
static void scan(fixture *f, const char *text) {
    if (f->sc.nlexhits != f->p.lex.n) ck_assert_int_eq(pg_scratch_prepare(&f->sc, &f->p), 0);
    f->sc.src = text;
    f->sc.srclen = strlen(text);
    ck_assert_int_eq(pg_fold_text(&f->sc.fold, text, strlen(text)), 0);
    ck_assert_int_eq(pg_tokenize(&f->sc), 0);
    ck_assert_int_eq(pg_lexicon_scan(&f->p.lex, &f->sc), 0);
}

/* Does lexicon li hit exactly [s, e) of the last text (and how many hits has it)? */
static int hit(const fixture *f, int li, uint32_t s, uint32_t e) {
    const pg_hitvec *h = &f->sc.lexhits[li];
    for (size_t i = 0; i < h->n; i++)
        if (h->v[i].s == s && h->v[i].e == e) return 1;
    return 0;
}

static size_t nhits(const fixture *f, int li) {
    return f->sc.lexhits[li].n;
}

/* A made-up word for n: letters only, never a real lexicon word, all of one length so many
 * share their length and some their stored hash bits. */
static void word(unsigned n, char *out) {
    for (int i = 0; i < 7; i++) {
        out[i] = (char)('a' + n % 26);
        n /= 26;
    }
    out[7] = '\0';
}

START_TEST(many_keys_grow_the_tables_and_every_one_is_found_in_its_lexicons) {
    fixture *f = fx_new();
    int a = lex(f, "a"), b = lex(f, "b");
    enum { N = 40000 };
    char w[8], text[64];
    /* no pg_lexicons_reserve: the tables start small and grow many times */
    for (unsigned i = 0; i < N; i++) {
        word(i * 7919u, w);
        term(f, i % 3 == 2 ? b : a, w);
        if (i % 5 == 0) term(f, b, w); /* some keys in two lexicons: a shared list */
    }
    ck_assert_uint_ge(f->p.lex.keys.count, N);
    ck_assert_uint_le(f->p.lex.keys.count * 8, f->p.lex.keys.cap * 5);
    for (unsigned i = 0; i < N; i++) {
        word(i * 7919u, w);
        snprintf(text, sizeof text, "x %s y", w);
        scan(f, text);
        int in_a = i % 3 != 2, in_b = i % 3 == 2 || i % 5 == 0;
        ck_assert_msg(hit(f, a, 2, 9) == in_a && nhits(f, a) == (size_t)in_a, "%s in a", w);
        ck_assert_msg(hit(f, b, 2, 9) == in_b && nhits(f, b) == (size_t)in_b, "%s in b", w);
        /* a word that is in neither: same length, never generated (i * 7919 + 1 is not a
         * multiple of 7919 below N * 7919) */
        word(i * 7919u + 1, w);
        snprintf(text, sizeof text, "x %s y", w);
        scan(f, text);
        ck_assert_msg(nhits(f, a) == 0 && nhits(f, b) == 0, "%s is found", w);
    }
    fx_free(f);
}
END_TEST

START_TEST(a_key_that_is_a_word_prefix_of_another_keeps_its_own_lexicon) {
    fixture *f = fx_new();
    int hosp = lex(f, "hospitals"), name = lex(f, "names");
    term(f, hosp, "johnson memorial hospital");
    term(f, name, "johnson");
    scan(f, "at johnson memorial today");
    ck_assert_uint_eq(nhits(f, hosp), 0); /* "johnson memorial" is only a prefix */
    ck_assert(hit(f, name, 3, 10) && nhits(f, name) == 1);
    scan(f, "at Johnson Memorial Hospital today");
    ck_assert(hit(f, hosp, 3, 28) && nhits(f, hosp) == 1);
    ck_assert(hit(f, name, 3, 10) && nhits(f, name) == 1);
    /* the prefix added before the term it belongs to, too */
    term(f, name, "grace");
    term(f, hosp, "grace general hospital");
    scan(f, "grace general hospital");
    ck_assert(hit(f, hosp, 0, 22) && hit(f, name, 0, 5));
    scan(f, "grace general");
    ck_assert(nhits(f, hosp) == 0 && hit(f, name, 0, 5));
    fx_free(f);
}
END_TEST

START_TEST(run_together_and_vowel_hidden_forms_share_the_terms_bytes) {
    fixture *f = fx_new();
    int lab = lex(f, "labels"), act = lex(f, "acts");
    term(f, lab, "drug seeker(s)");
    term(f, act, "drag");
    term(f, lab, "drug");
    term(f, act, "rmsar"); /* hides to "rms*r" */
    term(f, act, "brr");  /* no vowel: nothing to hide */
    scan(f, "#DrugSeekers again");
    ck_assert(hit(f, lab, 1, 12) && nhits(f, lab) == 1);
    scan(f, "a dr*g s**ker");
    ck_assert(hit(f, lab, 2, 13));
    /* "dr*g" hides both "drug" and "drag": one hidden key, both lexicons */
    ck_assert(hit(f, lab, 2, 6) && hit(f, act, 2, 6));
    scan(f, "drug");
    ck_assert(hit(f, lab, 0, 4) && nhits(f, act) == 0);
    scan(f, "rms*r and brr and b*rr");
    ck_assert(hit(f, act, 0, 5) && hit(f, act, 10, 13) && nhits(f, act) == 2);
    fx_free(f);
}
END_TEST

START_TEST(terms_of_eight_words_match_and_longer_ones_are_refused) {
    fixture *f = fx_new();
    int li = lex(f, "long");
    term(f, li, "one two three four five six seven eight");
    scan(f, "say one two three four five six seven eight now");
    ck_assert(hit(f, li, 4, 43) && nhits(f, li) == 1);
    scan(f, "say one two three four five six seven now");
    ck_assert_uint_eq(nhits(f, li), 0);
    scan(f, "#onetwothreefourfivesixseveneight");
    ck_assert_uint_eq(nhits(f, li), 1);
    pg_error err;
    pg_error_clear(&err);
    ck_assert_int_eq(pg_lexicon_add_term(&f->p.lex, f->p.arena, li,
                                         "one two three four five six seven eight nine", &err),
                     PG_ERULE);
    fx_free(f);
}
END_TEST

START_TEST(terms_added_after_a_scan_are_found_with_the_old_ones) {
    /* what a clinic configuration or the configure overlay does to a loaded pack */
    fixture *f = fx_new();
    int places = lex(f, "places");
    ck_assert_int_eq(pg_lexicons_reserve(&f->p.lex, 100), 0);
    term(f, places, "gimli");
    term(f, places, "swan river");
    scan(f, "from gimli to swan river");
    ck_assert_uint_eq(nhits(f, places), 2);
    char w[8], text[64];
    for (unsigned i = 0; i < 5000; i++) { /* far past the reserve: the tables grow */
        word(i * 31u + 3, w);
        char t[32];
        snprintf(t, sizeof t, "%s creek", w);
        term(f, places, t);
    }
    term(f, places, "swan");
    scan(f, "from gimli to swan river");
    ck_assert(hit(f, places, 5, 10) && hit(f, places, 14, 18) && hit(f, places, 14, 24));
    ck_assert_uint_eq(nhits(f, places), 3);
    word(4999 * 31u + 3, w);
    snprintf(text, sizeof text, "%s creek", w);
    scan(f, text);
    ck_assert(hit(f, places, 0, 13) && nhits(f, places) == 1);
    fx_free(f);
}
END_TEST

START_TEST(the_full_pack_grows_out_of_its_slab_and_keeps_every_key) {
    /* The CPSM pack's tables and key bytes sit in one slab of huge pages (lexicon.c); a
     * clinic adding many terms after load moves them out to ordinary memory. */
    pg_pack *p = NULL;
    pg_error err;
    pg_error_clear(&err);
    ck_assert_msg(pg_pack_load(PG_RULES, 0, &p, &err) == PG_OK, "%s", err.message);
    int places = pg_lexicon_find(&p->lex, "places"), names = pg_lexicon_find(&p->lex, "first-names");
    ck_assert(places >= 0 && names >= 0);
    pg_scratch sc = {0};
    ck_assert_int_eq(pg_scratch_prepare(&sc, p), 0);
    const char *text = "from Swan River, Aaron's mom";
    sc.src = text;
    sc.srclen = strlen(text);
    ck_assert_int_eq(pg_fold_text(&sc.fold, text, strlen(text)), 0);
    ck_assert_int_eq(pg_tokenize(&sc), 0);
    ck_assert_int_eq(pg_lexicon_scan(&p->lex, &sc), 0);
    size_t nplaces = sc.lexhits[places].n, nnames = sc.lexhits[names].n;
    ck_assert(nplaces >= 1 && nnames >= 1);
    char w[8], t[64];
    for (unsigned i = 0; i < 30000; i++) { /* ~1 MB of new keys */
        word(i * 13u + 5, w);
        snprintf(t, sizeof t, "%s upper %s crossing", w, w);
        ck_assert_int_eq(pg_lexicon_add_term(&p->lex, p->arena, places, t, &err), PG_OK);
    }
    ck_assert_int_eq(p->lex.blob_in_slab, 0);
    ck_assert_int_eq(p->lex.keys.in_slab, 0);
    ck_assert_int_eq(pg_lexicon_scan(&p->lex, &sc), 0);
    ck_assert_uint_eq(sc.lexhits[places].n, nplaces);
    ck_assert_uint_eq(sc.lexhits[names].n, nnames);
    word(29999 * 13u + 5, w);
    snprintf(t, sizeof t, "at %s upper %s crossing", w, w);
    sc.src = t;
    sc.srclen = strlen(t);
    ck_assert_int_eq(pg_fold_text(&sc.fold, t, strlen(t)), 0);
    ck_assert_int_eq(pg_tokenize(&sc), 0);
    ck_assert_int_eq(pg_lexicon_scan(&p->lex, &sc), 0);
    ck_assert_uint_eq(sc.lexhits[places].n, 1);
    pg_scratch_free(&sc);
    pg_pack_free(p);
}
END_TEST

int main(void) {
    Suite *s = suite_create("lexicon table");
    TCase *tc = tcase_create("keys");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, many_keys_grow_the_tables_and_every_one_is_found_in_its_lexicons);
    tcase_add_test(tc, a_key_that_is_a_word_prefix_of_another_keeps_its_own_lexicon);
    tcase_add_test(tc, run_together_and_vowel_hidden_forms_share_the_terms_bytes);
    tcase_add_test(tc, terms_of_eight_words_match_and_longer_ones_are_refused);
    tcase_add_test(tc, terms_added_after_a_scan_are_found_with_the_old_ones);
    tcase_add_test(tc, the_full_pack_grows_out_of_its_slab_and_keeps_every_key);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_VERBOSE);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
