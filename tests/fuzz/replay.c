/* replay.c - a main() for the fuzz drivers in ordinary builds: runs
 * LLVMFuzzerTestOneInput once on every file named, or in every directory
 * named, so that `make test` replays the committed corpus and every
 * regression input under gcc, ASan+UBSan and valgrind without libFuzzer.
 * Exits 1 when no input at all was found (a missing corpus is a mistake). */
#include "fuzzsupport.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static long replay_file(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        fprintf(stderr, "replay: cannot open %s\n", path);
        exit(2);
    }
    uint8_t *data = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n == cap) {
            cap = cap ? cap * 2 : 4096;
            uint8_t *p = realloc(data, cap);
            if (!p)
                exit(2);
            data = p;
        }
        size_t got = fread(data + n, 1, cap - n, fp);
        if (!got)
            break;
        n += got;
    }
    fclose(fp);
    LLVMFuzzerTestOneInput(data, n);
    free(data);
    return 1;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

static long replay_path(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return 0; /* an absent regressions directory: nothing found yet */
    if (!S_ISDIR(st.st_mode))
        return replay_file(path);
    struct dirent **names;
    int n = scandir(path, &names, NULL, by_name);
    long count = 0;
    for (int i = 0; i < n; i++) {
        if (names[i]->d_name[0] != '.') {
            char child[4096];
            snprintf(child, sizeof(child), "%s/%s", path, names[i]->d_name);
            count += replay_path(child);
        }
        free(names[i]);
    }
    free(names);
    return count;
}

int main(int argc, char **argv)
{
    LLVMFuzzerInitialize(&argc, &argv);
    long count = 0;
    for (int i = 1; i < argc; i++) {
        long c = replay_path(argv[i]);
        fprintf(stderr, "replay: %ld inputs from %s\n", c, argv[i]);
        count += c;
    }
    if (count == 0) {
        fprintf(stderr, "replay: no inputs found\n");
        return 1;
    }
    return 0;
}
