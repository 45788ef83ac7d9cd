/* fuzz.h - the libFuzzer entry point every target defines; replay.c calls it on corpus files
 * so the seed corpora run as ordinary tests in builds without libFuzzer. */
#ifndef PG_FUZZ_H
#define PG_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
