/*
 * \summary: the unix command's header for unix_server.c, until that file
 * moves into src/cmd/unix/ (then this shim goes: it includes unix/unix.h)
 */
#ifndef SOCKX_CMD_UNIX_SHIM_H
#define SOCKX_CMD_UNIX_SHIM_H

#include "unix/unix.h"

#endif
