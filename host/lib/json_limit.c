/* json_limit.c - how many values a JSON text holds, counted before it is parsed, so that a
 * message or file that is small in bytes but huge in values is refused before cJSON allocates
 * a node (about 64 bytes) for each of them: "[0,0,0,...]" in 8 MiB is four million nodes. */
#include "postguard.h"

size_t pg_json_count_values(const char *s, size_t len, size_t max) {
    /* every value but the first follows a ',' or opens with '[' or '{' (an empty container
     * counts once); bytes inside strings are skipped, escapes included */
    size_t n = 1;
    int in_str = 0;
    for (size_t i = 0; i < len && n <= max; i++) {
        char c = s[i];
        if (in_str) {
            if (c == '\\') i++;
            else if (c == '"') in_str = 0;
        } else if (c == '"') {
            in_str = 1;
        } else if (c == ',' || c == '[' || c == '{') {
            n++;
        }
    }
    return n;
}
