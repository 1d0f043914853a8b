/*
 * Runs glibc's own getopt_long over argument vectors and prints what it
 * returned, for scripts/record-getopt.mjs (fixtures/getopt). Input on stdin:
 *   line 1: the optstring (as a Slurm command passes it)
 *   line 2: the long options, space separated, each name=arg=val
 *           (arg 0/1/2 = none/required/optional; val one character or a number >= 256)
 *   then one case per line: the words of argv (after argv[0]), separated by \x1f
 * Output: one JSON object per case, on one line:
 *   {"options":[[val, optarg or null, optind after], ...], "message": getopt's stderr
 *    text, "status": "end"|"error", "operands": [argv[optind..] after the end]}
 * As Slurm's commands do, reading stops at the first '?' (an error).
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void json_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char c = (unsigned char) *s;
		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

static void json_val(FILE *out, int c)
{
	char buf[16];
	if (c < 256)
		snprintf(buf, sizeof(buf), "%c", c);
	else
		snprintf(buf, sizeof(buf), "#%d", c);
	json_string(out, buf);
}

int main(void)
{
	static char line[1 << 16];
	char optstring[4096];
	struct option longopts[512];
	int nlong = 0;

	if (!fgets(optstring, sizeof(optstring), stdin))
		return 1;
	optstring[strcspn(optstring, "\n")] = '\0';
	if (!fgets(line, sizeof(line), stdin))
		return 1;
	line[strcspn(line, "\n")] = '\0';
	for (char *tok = strtok(line, " "); tok; tok = strtok(NULL, " ")) {
		char *a = strchr(tok, '='), *v = a ? strchr(a + 1, '=') : NULL;
		if (!a || !v)
			return 1;
		*a = *v = '\0';
		longopts[nlong].name = strdup(tok);
		longopts[nlong].has_arg = atoi(a + 1);
		longopts[nlong].flag = NULL;
		longopts[nlong].val = strlen(v + 1) == 1 ? v[1] : atoi(v + 1);
		nlong++;
	}
	memset(&longopts[nlong], 0, sizeof(longopts[nlong]));

	while (fgets(line, sizeof(line), stdin)) {
		char *argv[1024];
		int argc = 0;
		char *msg = NULL;
		size_t msglen = 0;
		FILE *saved = stderr;

		line[strcspn(line, "\n")] = '\0';
		argv[argc++] = "cmd";
		if (line[0]) {
			char *p = line;
			for (;;) {
				char *sep = strchr(p, '\x1f');
				if (sep)
					*sep = '\0';
				argv[argc++] = p;
				if (!sep)
					break;
				p = sep + 1;
			}
		}
		argv[argc] = NULL;

		stderr = open_memstream(&msg, &msglen);
		optind = 0; /* glibc: start over, re-reading the optstring and POSIXLY_CORRECT */
		printf("{\"options\":[");
		int c, n = 0, error = 0;
		while ((c = getopt_long(argc, argv, optstring, longopts, NULL)) != -1) {
			if (c == '?') {
				error = 1;
				break;
			}
			printf("%s[", n++ ? "," : "");
			json_val(stdout, c);
			putchar(',');
			if (optarg)
				json_string(stdout, optarg);
			else
				printf("null");
			printf(",%d]", optind);
		}
		fclose(stderr);
		stderr = saved;
		printf("],\"message\":");
		json_string(stdout, msg ? msg : "");
		free(msg);
		printf(",\"status\":\"%s\",\"operands\":[", error ? "error" : "end");
		if (!error)
			for (int i = optind; i < argc; i++) {
				if (i > optind)
					putchar(',');
				json_string(stdout, argv[i]);
			}
		printf("]}\n");
		fflush(stdout);
	}
	return 0;
}
