/*
 * \summary: THE list of labs, in the order `sockx lab` lists them:
 * LAB(C identifier); the lab itself is `const struct lab lab_ID` in
 * src/cmd/lab/ID.c. No include guard: lab.h and lab.c include it with LAB
 * defined differently.
 */
LAB(backlog)
LAB(partial_send)
LAB(boundaries)
LAB(reset_on_close)
LAB(wrong_port)
LAB(time_wait)
LAB(nagle)
LAB(timeouts)
LAB(sigpipe)
LAB(rdm)
LAB(half_close)
LAB(udp_unreachable)
LAB(seqpacket_eof)
