#ifndef SIMPUL_FUZZ_DRIVER_H
#define SIMPUL_FUZZ_DRIVER_H
#include <stddef.h>
#include <stdint.h>

/// Runs libFuzzer's driver (parses its flags from argv, then fuzzes or replays) over `test`. The fuzz
/// targets have their own main (SwiftPM renames a Swift executable's entry point), so libFuzzer's
/// main is never linked; this is its documented replacement, LLVMFuzzerRunDriver.
int simpul_fuzz_run(int argc, char **argv, int (*test)(const uint8_t *data, size_t size));

#endif
