#!/usr/bin/env zsh
# zcomp.zsh DIR LINE: what zsh's completion offers for LINE (a TAB after
# it), with the _sockx of DIR, in a real interactive zsh on a pty
# (zsh/zpty). Prints one candidate a line, then whatever the shell wrote to
# stderr meanwhile (an error of the completion function) as "stderr: ...".
# Bounded: at most 10 s.
emulate zsh
zmodload zsh/zpty || exit 2
dir=$1 line=$2
tmp=$(mktemp -d) || exit 2
: >$tmp/matches
cat >$tmp/.zshrc <<EOF
PROMPT='> ' RPROMPT=
fpath=(${(q)dir} \$fpath)
autoload -Uz compinit && compinit -u -D
zstyle ':completion:*' insert-tab false
# every candidate compadd is given, into a file
compadd() {
	local -a __h
	builtin compadd -A __h "\$@"
	builtin compadd "\$@"
	print -rl -- \$__h >>$tmp/matches
}
EOF
# -d: none of /etc/zsh/*rc (Debian's zle-line-init there writes to the pty
# at every prompt, and failed with EIO once the pty was gone)
zpty z "ZDOTDIR=${(q)tmp} zsh -d -i 2>${(q)tmp}/err"
integer i
out=
for ((i = 0; i < 250; i++)); do	# the prompt: zle reads the line now
	zpty -r -t z junk && out+=$junk
	[[ $out == *'> '* ]] && break
	sleep 0.02
done
zpty -w -n z "$line"$'\t'
# after the completion: clear the line, say so in a file, and exit (no
# prompt is drawn after it, so nothing writes to the pty we then delete)
zpty -w z $'\C-e\C-u'"print done >${(q)tmp}/done; exit"
for ((i = 0; i < 250; i++)); do
	[[ -e $tmp/done ]] && break
	zpty -r -t z junk && print -rn -- "$junk" >>$tmp/pty
	sleep 0.02
done
zpty -d z
integer rc=0
if [[ -e $tmp/done ]]; then
	grep -v "^$" $tmp/matches | sort -u
	sed 's/^/stderr: /' $tmp/err
else
	print -r -- "zcomp: no answer from zsh"
	rc=2
fi
[[ -n $ZCOMP_DEBUG ]] && cat -v $tmp/pty $tmp/.zshrc
rm -rf -- $tmp
exit $rc
