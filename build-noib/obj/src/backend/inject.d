build-noib/obj/src/backend/inject.o: src/backend/inject.c \
 src/backend/inject.h src/core/internal.h include/scry/scry.h \
 include/scry/stack.h include/scry/value.h src/util/strbuf.h \
 src/syscalls/syscalls.h src/decode/decode.h src/unwind/unwind.h
src/backend/inject.h:
src/core/internal.h:
include/scry/scry.h:
include/scry/stack.h:
include/scry/value.h:
src/util/strbuf.h:
src/syscalls/syscalls.h:
src/decode/decode.h:
src/unwind/unwind.h:
