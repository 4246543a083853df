/*
 * \summary: THE list of labs, in the order `sockx lab` lists them:
 * LAB(C identifier); the lab itself is `const struct lab lab_ID` in
 * src/cmd/lab/ID.c. No include guard: lab.h and lab.c include it with LAB
 * defined differently.
 */
LAB(wrong_port)
LAB(nagle)
LAB(timeouts)
LAB(udp_unreachable)
