#include "core/launch.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int find_program(const char *file, char *path, size_t len)
{
	const char *p, *end;
	int err = -ENOENT;
	struct stat st;

	if (!*file)
		return -ENOENT;
	if (strchr(file, '/')) {
		if (strlen(file) >= len)
			return -ENAMETOOLONG;
		strcpy(path, file);
		if (stat(path, &st))
			return -errno;
		if (S_ISDIR(st.st_mode))
			return -EACCES;
		return access(path, X_OK) ? -errno : 0;
	}
	p = getenv("PATH");
	if (!p || !*p)
		p = "/usr/local/bin:/bin:/usr/bin";
	for (;; p = end + 1) {
		size_t dl;

		end = strchrnul(p, ':');
		dl = (size_t)(end - p);
		if (snprintf(path, len, "%.*s%s%s", (int)dl, p, dl ? "/" : "", file) < (int)len &&
		    !stat(path, &st) && !S_ISDIR(st.st_mode)) {
			if (!access(path, X_OK))
				return 0;
			err = -EACCES;	/* remember, but keep looking as execvp does */
		}
		if (!*end)
			break;
	}
	return err;
}
