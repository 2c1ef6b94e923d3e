/* Subcommands of vgapt-guest. Each is a main(): argv[0] is the subcommand's name, the options
 * follow; it returns the process exit status (0 done, 1 failed, 2 bad usage). */
#pragma once

/* `vgapt-guest pattern`: writes the test pattern (pattern.h) into a shared-memory file as a
 * frame-protocol producer. */
int vg_guest_pattern_main(int argc, char **argv);
/* `vgapt-guest tone`: writes sine tones into a Scream IVSHMEM ring as the Scream driver does
 * (docs/scream.md). */
int vg_guest_tone_main(int argc, char **argv);
/* `vgapt-guest lgmp-pattern`: a Looking Glass B7 host (LGMP 6 / KVMFR 20) writing the test
 * pattern into a shared-memory file. */
int vg_guest_lgmp_pattern_main(int argc, char **argv);
