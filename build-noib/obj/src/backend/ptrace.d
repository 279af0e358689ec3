build-noib/obj/src/backend/ptrace.o: src/backend/ptrace.c \
 src/core/internal.h include/scry/scry.h include/scry/stack.h \
 include/scry/value.h src/util/strbuf.h src/syscalls/syscalls.h \
 src/decode/decode.h src/unwind/unwind.h src/core/launch.h \
 src/filter/seccomp.h src/filter/filter.h src/core/engine.h \
 src/backend/inject.h
src/core/internal.h:
include/scry/scry.h:
include/scry/stack.h:
include/scry/value.h:
src/util/strbuf.h:
src/syscalls/syscalls.h:
src/decode/decode.h:
src/unwind/unwind.h:
src/core/launch.h:
src/filter/seccomp.h:
src/filter/filter.h:
src/core/engine.h:
src/backend/inject.h:
