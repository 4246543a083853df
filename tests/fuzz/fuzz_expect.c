/*
 * \summary: fuzz target: raw-packet and datagram comparison with
 * kernel-filled masks and field names, and in-order matching
 */
#include <stdint.h>

#include "capture/capture.h"
#include "capture/expect.h"
#include "wire/kfield.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct capture_msg e, w;
	const struct capture_msg *ep[1], *wp[1];
	struct capture_match r;
	struct capture_diff d;
	size_t cut;
	bool keep;

	if (size < 3)
		return 0;
	/* Byte 0: flags; byte 1: layout and whether whole copies; byte 2: split. */
	cut = 3 + (size - 3) * data[2] / 256;
	keep = data[1] & 4;
	capture_msg_set(&e, 0, data + 3, cut - 3, keep);
	capture_msg_set(&w, 0, data + cut, size - cut, keep);
	e.flags = data[0] | (data[1] & 8 ? CAPTURE_RAW_L4 : 0);
	e.layout = (enum capture_layout)(data[1] % 3);
	w.l4_off = data[1] >> 4;
	capture_msg_cmp(&e, &w, &d);
	ep[0] = &e;
	wp[0] = &w;
	capture_match_msgs(ep, 1, wp, 1, &r);
	capture_field_name(e.layout, data, size, size);
	{
		char names[256];
		unsigned mask = kfield_mask((enum kfield_sock)(data[0] % 4), data, size);

		kfield_covering(mask, data[1] & 1, data[2] % 64, size / 2);
		kfield_names(mask, ", ", names, sizeof(names));
	}
	capture_msg_free(&e);
	capture_msg_free(&w);
	return 0;
}
