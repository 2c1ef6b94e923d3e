/* Survives a shared file that shrinks under its mapping. Anyone allowed to write the file
 * (libvirt's <shmem>, the tmpfiles.d rule's group) can truncate it; a read past the new end
 * then raises SIGBUS, which would kill the client. The handler maps anonymous zero pages over
 * the whole mapping the fault hit and flags it: the faulting read goes on, reads zeros (the
 * protocols see a blank region), and the owner remaps when it sees the flag. Faults outside
 * our mappings keep their old meaning. */
#include "shm_guard.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#define GUARD_SLOTS 32

struct guard {
    _Atomic uintptr_t base; /* 0: free */
    _Atomic size_t size;
    _Atomic int lost;
};

static struct guard guards[GUARD_SLOTS];
static struct sigaction previous;
static pthread_once_t installed = PTHREAD_ONCE_INIT;

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
    uintptr_t addr = (uintptr_t)si->si_addr;
    /* Only a fault on a page (si_code > 0) names an address; a sent signal does not. */
    for (size_t i = 0; si->si_code > 0 && i < GUARD_SLOTS; i++) {
        uintptr_t base = atomic_load(&guards[i].base);
        size_t size = atomic_load(&guards[i].size);
        if (!base || addr < base || addr - base >= size)
            continue;
        void *r = mmap((void *)base, size, PROT_READ | PROT_WRITE,
                       MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (r != MAP_FAILED) {
            atomic_store(&guards[i].lost, 1);
            return;
        }
        break;
    }
    /* Not ours (or the remap failed): what SIGBUS meant before us. */
    if ((previous.sa_flags & SA_SIGINFO) && previous.sa_sigaction) {
        previous.sa_sigaction(sig, si, uc);
        return;
    }
    if (previous.sa_handler != SIG_DFL && previous.sa_handler != SIG_IGN) {
        previous.sa_handler(sig);
        return;
    }
    /* A fault repeats on return and ends the process as it would have; a sent signal is sent
     * again. */
    signal(SIGBUS, SIG_DFL);
    if (si->si_code <= 0)
        raise(SIGBUS);
}

static void install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_sigbus;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGBUS, &sa, &previous);
}

int vg_shm_guard_add(void *base, size_t size)
{
    pthread_once(&installed, install);
    for (int i = 1; i < GUARD_SLOTS; i++) {
        uintptr_t expected = 0;
        if (atomic_compare_exchange_strong(&guards[i].base, &expected, (uintptr_t)base)) {
            atomic_store(&guards[i].lost, 0);
            atomic_store(&guards[i].size, size);
            return i;
        }
    }
    return -1;
}

void vg_shm_guard_remove(int slot)
{
    if (slot <= 0 || slot >= GUARD_SLOTS)
        return;
    atomic_store(&guards[slot].size, 0);
    atomic_store(&guards[slot].lost, 0);
    atomic_store(&guards[slot].base, 0);
}

bool vg_shm_guard_lost(int slot)
{
    return slot > 0 && slot < GUARD_SLOTS && atomic_load(&guards[slot].lost);
}
