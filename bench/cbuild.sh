#!/bin/sh
# cbuild: a parallel build of a small C project (a process tree of make,
# the compiler driver, cc1, as and ld).
#
#   cbuild.sh [N [JOBS]]   N generated .c files (default 16), make -jJOBS
#                          (default 2).  Everything lives in a temporary
#                          directory, removed at the end, under
#                          $SCRY_BENCH_DIR, else /dev/shm (tmpfs, less
#                          noise), else /tmp.
set -e
n=${1:-16}
jobs=${2:-2}
cc=${CC:-cc}
base=${SCRY_BENCH_DIR:-}
if [ -z "$base" ]; then
	if [ -d /dev/shm ] && [ -w /dev/shm ]; then base=/dev/shm; else base=/tmp; fi
fi
dir=$(mktemp -d "$base/scry-bench-cbuild-XXXXXX")
trap 'rm -rf "$dir"' EXIT

i=0
objs=
while [ "$i" -lt "$n" ]; do
	cat > "$dir/unit$i.c" <<EOC
#include <stdio.h>
#include <string.h>
int unit$i(int x);
static int table$i[64];
int unit$i(int x)
{
	char buf[32];
	for (int k = 0; k < 64; k++)
		table$i[k] = (k * $i + x) % 97;
	snprintf(buf, sizeof buf, "%d", table$i[x & 63]);
	return (int)strlen(buf) + $i;
}
EOC
	objs="$objs unit$i.o"
	i=$((i + 1))
done
{
	echo '#include <stdio.h>'
	i=0
	while [ "$i" -lt "$n" ]; do echo "int unit$i(int x);"; i=$((i + 1)); done
	echo 'int main(void) { int s = 0;'
	i=0
	while [ "$i" -lt "$n" ]; do echo "s += unit$i(s);"; i=$((i + 1)); done
	printf '%s\n' 'printf("%d\n", s); return 0; }'
} > "$dir/main.c"
cat > "$dir/Makefile" <<EOM
prog: main.o$objs
	\$(CC) -o \$@ main.o$objs
%.o: %.c
	\$(CC) -O1 -c -o \$@ \$<
EOM
make -s -C "$dir" -j"$jobs" CC="$cc" >/dev/null
"$dir/prog" >/dev/null
