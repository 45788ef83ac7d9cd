/* start_table.h - what start_table.c keeps in the pack and in a check's scratch, beyond the
 * calls internal.h declares (pg_start_build, pg_starttab_free, pg_start_positions).
 *
 * Ownership: the pack owns its tables (pg_pack.start, freed by pg_pack_free through
 * pg_starttab_free); pg_start_build frees every pattern's keys once they are filed. The scratch
 * owns the candidate positions (pg_scratch.cand); what pg_start_positions returns borrows them
 * until the next check. */
#ifndef PG_START_TABLE_H
#define PG_START_TABLE_H

/* pg_scratch.candstate, per text (folded, raw): whether this check's candidates are found yet.
 * A check starts at PG_CAND_UNKNOWN (match.c zeroes it); the table's scan is done on the first
 * pattern that asks. */
enum {
    PG_CAND_UNKNOWN = 0,
    PG_CAND_FOUND = 1,      /* cand holds each pattern's positions */
    PG_CAND_EVERYWHERE = 2, /* the text defeats the keys: every pattern tries every position */
};

#endif /* PG_START_TABLE_H */
