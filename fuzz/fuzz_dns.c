/* The DNS message grammar (dissect/dns.c): the input is one message. Besides
 * memory safety it checks the promises of dns.h: names are NUL-terminated
 * inside their buffers and at most answers_kept <= DNS_MAX_ANSWERS. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dns.h"
#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_name(const char *name)
{
    if (strnlen(name, DNS_NAME_MAX) >= DNS_NAME_MAX)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct dns_message msg;   /* 17 KB: not on the stack */
    memset(&msg, 0, sizeof msg);
    enum parse_status st = dns_parse_message(data, size, &msg);
    if (st == PARSE_OK) {
        if (msg.answers_kept > DNS_MAX_ANSWERS)
            abort();
        check_name(msg.qname);
        for (int i = 0; i < msg.answers_kept; i++) {
            check_name(msg.answers[i].name);
            check_name(msg.answers[i].target);
            fuzz_touch(dns_type_name(msg.answers[i].type), 1);
        }
        fuzz_touch(dns_rcode_name(msg.rcode), 1);
        fuzz_touch(dns_type_name(msg.qtype), 1);
    }
    return 0;
}
