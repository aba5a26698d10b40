/* Target for the bpf module's uprobe tests: functions with known arguments, called a known number of times.
 * usage: probe_target [-w] MODE ARGS...   (-w: print the pid, then wait for a line on stdin before running)
 *   count N M     call rp_hit N times, then rp_other M times
 *   args          call rp_args once with six known values, print rp_args's runtime address
 *   paced N USEC  call rp_hit(i) for i < N, sleeping USEC microseconds between calls
 *   loop N        call rp_empty N times, print the elapsed nanoseconds of the loop
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PROBED __attribute__((noinline, used))

PROBED long rp_hit(long i) { __asm__ volatile("" ::: "memory"); return i + 1; }
PROBED long rp_other(long i) { __asm__ volatile("" ::: "memory"); return i * 2; }
PROBED long rp_args(long a, long b, long c, long d, long e, long f) {
    __asm__ volatile("" ::: "memory");
    return a ^ b ^ c ^ d ^ e ^ f;
}
PROBED void rp_empty(void) { __asm__ volatile("" ::: "memory"); }

static long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000L + t.tv_nsec;
}

int main(int argc, char **argv) {
    int a = 1;
    if (a < argc && strcmp(argv[a], "-w") == 0) {
        char line[16];
        printf("%d\n", getpid());
        fflush(stdout);
        if (!fgets(line, sizeof line, stdin)) return 2;
        a++;
    }
    if (a >= argc) return 2;
    const char *mode = argv[a++];
    long sink = 0;
    if (strcmp(mode, "count") == 0 && a + 1 < argc) {
        long n = atol(argv[a]), m = atol(argv[a + 1]);
        for (long i = 0; i < n; i++) sink += rp_hit(i);
        for (long i = 0; i < m; i++) sink += rp_other(i);
    } else if (strcmp(mode, "args") == 0) {
        sink = rp_args(0x1122334455667788L, 0x2233445566778899L, 0x33445566778899aaL,
                       0x445566778899aabbL, 0x5566778899aabbccL, 0x66778899aabbccddL);
        printf("%p\n", (void *)rp_args);
    } else if (strcmp(mode, "paced") == 0 && a + 1 < argc) {
        long n = atol(argv[a]), us = atol(argv[a + 1]);
        for (long i = 0; i < n; i++) {
            sink += rp_hit(i);
            if (us > 0) usleep(us);
        }
    } else if (strcmp(mode, "loop") == 0 && a < argc) {
        long n = atol(argv[a]);
        long t0 = now_ns();
        for (long i = 0; i < n; i++) rp_empty();
        printf("%ld\n", now_ns() - t0);
    } else {
        return 2;
    }
    fflush(stdout);
    return sink == 42 ? 3 : 0;
}
