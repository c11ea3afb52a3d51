/* Test oracle: event text as libtraceevent prints it (tep_parse_event + tep_print_event, plugins loaded).
 * Built by src/events/libtraceevent-differential.test.ts against Debian's libtraceevent-dev.
 * Reads commands on stdin, each a line then `len` bytes:
 *   H <bigendian 0|1> <long size>       file properties (first)
 *   K <len>                             kallsyms text
 *   F <system> <len>                    a format file; answers "F <errno>\n" (0: parsed)
 *   R <len>                             a record payload; answers, for the record followed by 64 KiB of
 *                                       zeros and then by 64 KiB of 0xff: "T <n0> <n1>\n" and both texts.
 * The two paddings tell the caller whether the text depends on bytes past the end of the record. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <event-parse.h>
#include <trace-seq.h>

#define PAD 65536

static char *read_bytes(size_t len)
{
	char *buf = malloc(len + 1);
	if (!buf || fread(buf, 1, len, stdin) != len)
		exit(3);
	buf[len] = 0;
	return buf;
}

static void render(struct tep_handle *tep, unsigned char *data, int len, struct trace_seq *s)
{
	struct tep_record record;

	memset(&record, 0, sizeof(record));
	record.data = data;
	record.size = len;
	trace_seq_reset(s);
	tep_print_event(tep, s, &record, "%s", TEP_PRINT_INFO);
	trace_seq_terminate(s);
}

int main(void)
{
	struct tep_handle *tep = tep_alloc();
	struct trace_seq s0, s1;
	char line[512], sys[256];
	size_t len;
	int big, lsize;

	trace_seq_init(&s0);
	trace_seq_init(&s1);
	tep_load_plugins(tep);
	while (fgets(line, sizeof(line), stdin)) {
		if (sscanf(line, "H %d %d", &big, &lsize) == 2) {
			tep_set_file_bigendian(tep, big ? TEP_BIG_ENDIAN : TEP_LITTLE_ENDIAN);
			tep_set_local_bigendian(tep, TEP_LITTLE_ENDIAN);
			tep_set_long_size(tep, lsize);
			tep_set_page_size(tep, 4096);
		} else if (sscanf(line, "K %zu", &len) == 1) {
			char *text = read_bytes(len);
			tep_parse_kallsyms(tep, text);
			free(text);
		} else if (sscanf(line, "F %255s %zu", sys, &len) == 2) {
			char *text = read_bytes(len);
			int err = tep_parse_event(tep, text, len, sys);
			free(text);
			printf("F %d\n", err);
			fflush(stdout);
		} else if (sscanf(line, "R %zu", &len) == 1) {
			unsigned char *data = malloc(len + PAD);
			if (!data || fread(data, 1, len, stdin) != len)
				return 3;
			memset(data + len, 0, PAD);
			render(tep, data, len, &s0);
			memset(data + len, 0xff, PAD);
			render(tep, data, len, &s1);
			printf("T %u %u\n", s0.len, s1.len);
			fwrite(s0.buffer, 1, s0.len, stdout);
			fwrite(s1.buffer, 1, s1.len, stdout);
			fflush(stdout);
			free(data);
		} else {
			return 2;
		}
	}
	return 0;
}
