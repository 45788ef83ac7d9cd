/* texts.h - the inputs of the scaling and adversarial tests: realistic post text, and texts
 * built to make regular expressions backtrack (runs of one character, emoji, no spaces, and
 * "bait" derived from each pattern of the pack). */
#ifndef PG_TEST_TEXTS_H
#define PG_TEST_TEXTS_H

#include <stddef.h>

/* The kinds make_text knows, NULL-terminated. */
extern const char *const pg_text_kinds[];

/* Fill out (bytes + 1 bytes) with about `bytes` bytes of the given kind, ending on a
 * character boundary; returns the length, or 0 for an unknown kind. */
size_t pg_make_text(const char *kind, char *out, size_t bytes);

/* Bait for one pattern: its literal skeleton (escapes and classes replaced by a sample
 * character), stretched so every repeat in it has a long run to chew on, repeated with and
 * without its last character; about `bytes` bytes into out (bytes + 1). */
size_t pg_make_bait(const char *pattern, char *out, size_t bytes);

/* Every "pattern" string in the pack's JSON files (a pack file, or a folder of them):
 * a malloc'd, NULL-terminated array of malloc'd strings, or NULL. */
char **pg_pack_patterns(const char *pack, size_t *n);
void pg_free_patterns(char **v);

#endif
