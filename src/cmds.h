/*
 * \summary: THE list of subcommands, one line each:
 * CMD(name as typed, C identifier, flags, one-line help)
 * main.c expands it into prototypes and the dispatch table; help,
 * --list-commands and the shell completions come from it too.
 */
CMD("tcp-server", tcp_server, 0, "serve TCP clients: echo, upper, discard or source")
CMD("tcp-client", tcp_client, CMD_RAW, "connect over TCP: send messages, or relay stdin and stdout")
CMD("capture", capture, CMD_RAW, "decode a pcap file or capture live: one line per packet")
CMD("help", help, 0, "show help for sockx or one command")
