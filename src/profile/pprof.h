/*
 * pprof output: the profile as a gzipped profile.proto (perftools.profiles,
 * the format of github.com/google/pprof, read by `go tool pprof`, Grafana
 * Pyroscope, Parca), written by a small protobuf encoder of our own
 * (pprof.c) and checked against `go tool pprof` (tests/e2e).
 *
 * Sample types: samples/count and cpu/nanoseconds (samples x period) when
 * there are CPU samples, then off_cpu_sleep, off_cpu_disk, off_cpu_runq,
 * off_cpu_other (nanoseconds) when the off-CPU collector ran.  Each sample
 * is one (thread, stack) entry with labels thread (name), pid and tid.
 * Locations are frames: address = file offset in the object (the kernel's
 * address for kernel frames), so a mapping is [min, max] of those offsets
 * with file_offset = min, and the build-id is kept: a profile can be
 * symbolized again later.  Lost and throttled counts go in comments.
 */
#ifndef SCRY_PROFILE_PPROF_H
#define SCRY_PROFILE_PPROF_H

#include <stdio.h>

#include "profile/profile.h"

/* 0, or -EIO (write failed), -ENOMEM. */
int prof_write_pprof(const struct prof *p, FILE *f, const struct prof_out_opts *o);

#endif
