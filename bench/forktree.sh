#!/bin/sh
# forktree: a process tree of short-lived children.
#
#   forktree.sh [N]   N iterations (default 300); each runs /bin/true, and
#                     every tenth also runs a subshell with two /bin/true
#                     children in the background, so the tree is more than
#                     one level deep.
n=${1:-300}
i=0
while [ "$i" -lt "$n" ]; do
	/bin/true
	if [ $((i % 10)) -eq 0 ]; then
		( /bin/true & /bin/true; wait ) &
	fi
	i=$((i + 1))
done
wait
