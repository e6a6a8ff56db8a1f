# bash completion for ipsreplay. Load it with
#   source <(ipsreplay completion bash)
# or save it as /usr/share/bash-completion/completions/ipsreplay.
# The binary itself lists the commands and flags that fit
# (ipsreplay __complete WORDS... CURRENT); file names are completed when
# it lists nothing.
_ipsreplay() {
	local cur=${COMP_WORDS[COMP_CWORD]}
	local IFS=$'\n'
	local -a found
	found=($("${COMP_WORDS[0]}" __complete "${COMP_WORDS[@]:1:COMP_CWORD-1}" "$cur" 2>/dev/null))
	if ((${#found[@]})); then
		COMPREPLY=($(compgen -W "${found[*]}" -- "$cur"))
	else
		COMPREPLY=($(compgen -f -- "$cur"))
	fi
}
complete -o filenames -F _ipsreplay ipsreplay
