/* Target for UprobeCostTest: each k_* function starts with one instruction of a kind a uprobe may land on.
 * usage: insn_kinds NAME [N]   prints its pid, waits for a line on stdin, calls k_NAME N times (default 3), prints
 * "ns/call T", then one "map:[uprobes...]" line per uprobe mapping the kernel put into this process ("[uprobes]"
 * is the single-step area, made on the first single-step; "[uprobes-trampoline]" the 5-byte-nop trampoline). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <stdlib.h>
#include <time.h>

__asm__(
    ".text\n"
    ".p2align 4\n"
#define K(name, body) ".globl k_" #name "\n.type k_" #name ",@function\nk_" #name ":\n" body "\n.size k_" #name ", .-k_" #name "\n.p2align 4\n"
    K(push_rbp, "push %rbp\npop %rbp\nret")
    K(push_r15, "push %r15\npop %r15\nret")
    K(push_rbx, "push %rbx\npop %rbx\nret")
    K(nop1, "nop\nret")
    K(nop2, ".byte 0x66, 0x90\nret")
    K(nop5, ".byte 0x0f,0x1f,0x44,0x00,0x00\nret")
    K(nop4, ".byte 0x0f,0x1f,0x40,0x00\nret")
    K(nop3, ".byte 0x0f,0x1f,0x00\nret")
    K(nop8, ".byte 0x0f,0x1f,0x84,0x00,0x00,0x00,0x00,0x00\nret")
    K(nop6, ".byte 0x66,0x0f,0x1f,0x44,0x00,0x00\nret")
    K(nop5w, ".byte 0x66,0x0f,0x1f,0x04,0x00\nret")
    K(endbr64, "endbr64\nret")
    K(mov_rr, "mov %rdi,%rax\nret")
    K(mov_load, "mov 0x0(%rsp),%rax\nret")
    K(mov_rip, "mov k_nop1(%rip),%rax\nret")
    K(sub_rsp, "sub $0x18,%rsp\nadd $0x18,%rsp\nret")
    K(lea, "lea 8(%rdi),%rax\nret")
    K(xor, "xor %eax,%eax\nret")
    K(test, "test %rdi,%rdi\nret")
    K(cmp, "cmp $5,%rdi\nret")
    K(ret, "ret")
    K(rep_ret, "rep ret")
    K(ret_imm, "ret $0\n")
    K(jmp8, "jmp 1f\n1: ret")
    K(jmp32, ".byte 0xe9\n.long 0\nret")
    K(call32, "call k_ret\nret")
    K(jcc8, "je 1f\n1: ret")
    K(jcc32, ".byte 0x0f, 0x84\n.long 0\nret")
    K(movaps, "movaps %xmm0,%xmm1\nret")
);

#define N(name) void k_##name(void);
N(push_rbp) N(push_r15) N(push_rbx) N(nop1) N(nop2) N(nop5) N(nop6) N(nop4) N(nop3) N(nop8) N(nop5w) N(endbr64) N(mov_rr) N(mov_load) N(mov_rip)
N(sub_rsp) N(lea) N(xor) N(test) N(cmp) N(ret) N(rep_ret) N(ret_imm) N(jmp8) N(jmp32) N(call32) N(jcc8) N(jcc32) N(movaps)
#undef N
#define E(name) {#name, k_##name},
static const struct { const char *name; void (*fn)(void); } table[] = {
    E(push_rbp) E(push_r15) E(push_rbx) E(nop1) E(nop2) E(nop5) E(nop6) E(nop4) E(nop3) E(nop8) E(nop5w) E(endbr64) E(mov_rr) E(mov_load) E(mov_rip)
    E(sub_rsp) E(lea) E(xor) E(test) E(cmp) E(ret) E(rep_ret) E(ret_imm) E(jmp8) E(jmp32) E(call32) E(jcc8) E(jcc32) E(movaps)
};

int main(int argc, char **argv) {
    if (argc < 2) return 2;
    long n = argc > 2 ? atol(argv[2]) : 3;
    void (*fn)(void) = 0;
    for (unsigned i = 0; i < sizeof table / sizeof table[0]; i++)
        if (strcmp(table[i].name, argv[1]) == 0) fn = table[i].fn;
    if (!fn) return 3;
    char line[64];
    printf("%d\n", (int)getpid());
    fflush(stdout);
    if (!fgets(line, sizeof line, stdin)) return 4;
    struct timespec t0, t1; clock_gettime(CLOCK_MONOTONIC, &t0);
    for (long i = 0; i < n; i++) fn();
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("ns/call %.0f\n", ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / n);
    FILE *maps = fopen("/proc/self/maps", "r");
    int xol = 0;
    while (maps && fgets(line, sizeof line, maps)) if (strstr(line, "[uprobes")) printf("map:%s", strchr(line, 0x5b));
    printf("end\n");
    return 0;
}
