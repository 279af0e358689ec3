build-noib/obj/src/backend/backends.o: src/backend/backends.c \
 src/core/internal.h include/scry/scry.h include/scry/stack.h \
 include/scry/value.h src/util/strbuf.h src/syscalls/syscalls.h \
 src/decode/decode.h src/unwind/unwind.h
src/core/internal.h:
include/scry/scry.h:
include/scry/stack.h:
include/scry/value.h:
src/util/strbuf.h:
src/syscalls/syscalls.h:
src/decode/decode.h:
src/unwind/unwind.h:
