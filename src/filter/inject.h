/*
 * strace's -e inject= and -e fault= expressions, parsed into the rules the
 * library takes (struct scry_inject in scry.h, through scry_config.inject).
 *
 * Grammar (strace's):
 *
 *	inject=SET[:error=ERRNO|:retval=N][:signal=SIG][:syscall=NAME]
 *	          [:delay_enter=D][:delay_exit=D]
 *	          [:poke_enter=@argN=HEX[,@argM=HEX]...][:poke_exit=...]
 *	          [:when=FIRST[..LAST][+[STEP]]]
 *	fault=SET[:error=ERRNO][:when=...]       (error defaults to ENOSYS)
 *
 * SET is a syscall set as in trace=.  An inject needs at least one of
 * error, retval, signal, delay_enter, delay_exit, poke_enter, poke_exit;
 * error and retval exclude each other; syscall= (a %pure call run instead)
 * needs one of them.  D is a number with an optional unit s, ms, us or ns
 * (microseconds without one).  FIRST and STEP are 1..65535, LAST 1..65534
 * and not below FIRST; the last when= wins.
 *
 * Nothing here prints or exits.  Errors return -EINVAL (bad input; usage)
 * or -ENOMEM, with one line in err (no "scry: " prefix, no newline), and
 * leave the list as it was.
 */
#ifndef SCRY_FILTER_INJECT_H
#define SCRY_FILTER_INJECT_H

#include <stddef.h>
#include <stdint.h>

#include "scry/scry.h"
#include "syscalls/syscalls.h"

/* struct scry_inject_list and its functions are public: scry/filter.h. */
#include "scry/filter.h"

#endif
