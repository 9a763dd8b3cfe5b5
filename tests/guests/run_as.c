/* run_as UID GID[,GID...] PROGRAM [ARGS...]: runs PROGRAM as another user
 * with exactly the given groups (the first is the primary one), for the
 * sandbox's access tests: busybox's su needs /etc/passwd entries and its
 * setpriv cannot change ids. Exits 127 when PROGRAM cannot be started. */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_GROUPS 16

static unsigned long parse_id(const char *text, const char *what)
{
	char *end;
	unsigned long id;

	errno = 0;
	id = strtoul(text, &end, 10);
	if (errno || end == text || *end || id > 0xfffffffeul) {
		fprintf(stderr, "run_as: %s '%s' is not a number\n", what, text);
		exit(2);
	}
	return id;
}

int main(int argc, char **argv)
{
	gid_t groups[MAX_GROUPS];
	size_t count = 0;
	char *list, *item;
	uid_t uid;

	if (argc < 4) {
		fprintf(stderr, "usage: run_as UID GID[,GID...] PROGRAM [ARGS...]\n");
		return 2;
	}
	uid = (uid_t)parse_id(argv[1], "uid");
	list = argv[2];
	while ((item = strsep(&list, ",")) != NULL) {
		if (count == MAX_GROUPS) {
			fprintf(stderr, "run_as: more than %d groups\n", MAX_GROUPS);
			return 2;
		}
		groups[count++] = (gid_t)parse_id(item, "gid");
	}
	if (setgroups(count, groups) || setgid(groups[0]) || setuid(uid)) {
		perror("run_as: cannot change ids");
		return 2;
	}
	execvp(argv[3], argv + 3);
	fprintf(stderr, "run_as: cannot run %s: %s\n", argv[3], strerror(errno));
	return 127;
}
