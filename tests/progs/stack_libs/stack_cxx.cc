// A C++ target for the unwinder's tests (tests/unit/test_unwind.c): its
// call comes from a method in a namespace, whose name must come back
// demangled ("shop::Ledger::flush(int)"), from a line marked STACK:<call>.
#include <unistd.h>

namespace shop {
struct Ledger {
	int n = 0;
	__attribute__((noinline)) int flush(int x);
};

int Ledger::flush(int x)
{
	n += getppid();   /* STACK:getppid */
	return n + x;
}
}

int main()
{
	shop::Ledger l;
	return l.flush(1) < 0;
}
