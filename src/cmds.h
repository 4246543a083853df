/*
 * \summary: THE list of subcommands, one line each:
 * CMD(name as typed, C identifier, flags, one-line help)
 * main.c expands it into prototypes and the dispatch table; help,
 * --list-commands and the shell completions come from it too.
 */
CMD("tcp-server", tcp_server, CMD_RAW, "serve TCP clients: echo, upper, discard or source")
CMD("tcp-client", tcp_client, CMD_RAW, "connect over TCP: send messages, or relay stdin and stdout")
CMD("udp-server", udp_server, 0, "serve UDP datagrams: echo, upper or discard, in batches")
CMD("udp-client", udp_client, CMD_RAW, "send UDP datagrams, match the replies, ping-style summary")
CMD("unix", unix, 0, "AF_UNIX stream, dgram, seqpacket: serve (-l), connect, or a demonstration")
CMD("unix-server", unix_server, 0, "the same as unix -l")
CMD("unix-client", unix_client, 0, "the same as unix")
CMD("completions", completions, 0, "print a bash, zsh or fish completion script")
CMD("matrix", matrix, CMD_RAW, "which family x type x protocol this kernel supports, and why not")
CMD("tour", tour, CMD_RAW, "a real exchange for every family x type this kernel supports, checked")
CMD("raw-icmp", raw_icmp, CMD_RAW, "ICMP echo over a raw socket: a hand-built IPv4 header, ICMPv6, or a ping socket")
CMD("capture", capture, CMD_RAW, "decode a pcap file or capture live: one line per packet")
CMD("timeline", timeline, 0, "redraw saved --json --timeline runs: a text ladder, JSON, or an SVG")
CMD("lab", lab, CMD_RAW, "run the tutorial's claims about sockets as experiments on this kernel")
CMD("help", help, 0, "show help for sockx or one command")
