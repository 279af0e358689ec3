build-noib/obj/src/backend/bpf.o: src/backend/bpf.c src/core/internal.h \
 include/scry/scry.h include/scry/stack.h include/scry/value.h \
 src/util/strbuf.h src/syscalls/syscalls.h src/decode/decode.h \
 src/unwind/unwind.h src/core/engine.h src/bpf/bpf_backend.h \
 src/stats/stats.h src/stats/hist.h src/bpf/bpf_common.h \
 src/bpf/bpf_trace.h
src/core/internal.h:
include/scry/scry.h:
include/scry/stack.h:
include/scry/value.h:
src/util/strbuf.h:
src/syscalls/syscalls.h:
src/decode/decode.h:
src/unwind/unwind.h:
src/core/engine.h:
src/bpf/bpf_backend.h:
src/stats/stats.h:
src/stats/hist.h:
src/bpf/bpf_common.h:
src/bpf/bpf_trace.h:
