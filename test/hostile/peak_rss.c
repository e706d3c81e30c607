/* peak_rss — runs a command and writes its exit status and peak RSS to a
 * file, for test/hostile/run.py.
 *
 * Python cannot measure this itself: a child forked from it starts with a
 * copy of the interpreter's memory, and Linux carries that high-water mark
 * across exec, so every figure would be at least the interpreter's 16-25 MB.
 * Forked from this small program, the floor is about a megabyte.
 *
 * usage: peak_rss RESULT_FILE COMMAND [ARG...]
 * RESULT_FILE gets one line: "exited N" or "signalled N", then the peak RSS
 * in KiB. Exit status: 0 when the command ran (whatever its status), 2 when
 * it could not be started or waited for. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: peak_rss RESULT_FILE COMMAND [ARG...]\n");
        return 2;
    }
    pid_t child = fork();
    if (child < 0) {
        fprintf(stderr, "peak_rss: fork: %s\n", strerror(errno));
        return 2;
    }
    if (child == 0) {
        execvp(argv[2], argv + 2);
        fprintf(stderr, "peak_rss: %s: %s\n", argv[2], strerror(errno));
        _exit(127);
    }
    int status;
    struct rusage usage;
    while (wait4(child, &status, 0, &usage) < 0) {
        if (errno != EINTR) {
            fprintf(stderr, "peak_rss: wait4: %s\n", strerror(errno));
            return 2;
        }
    }
    FILE *result = fopen(argv[1], "w");
    if (!result) {
        fprintf(stderr, "peak_rss: %s: %s\n", argv[1], strerror(errno));
        return 2;
    }
    if (WIFSIGNALED(status))
        fprintf(result, "signalled %d %ld\n", WTERMSIG(status), usage.ru_maxrss);
    else
        fprintf(result, "exited %d %ld\n", WEXITSTATUS(status), usage.ru_maxrss);
    return fclose(result) == 0 ? 0 : 2;
}
