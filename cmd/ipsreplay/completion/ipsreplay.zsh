#compdef ipsreplay
# zsh completion for ipsreplay. Load it with
#   source <(ipsreplay completion zsh)
# or save it as _ipsreplay in a directory of $fpath.
# The binary itself lists the commands and flags that fit
# (ipsreplay __complete WORDS... CURRENT); file names are completed when
# it lists nothing.
_ipsreplay() {
	local -a found
	found=("${(@f)$("${words[1]}" __complete "${(@)words[2,CURRENT-1]}" "${words[CURRENT]}" 2>/dev/null)}")
	found=(${found:#})
	if ((${#found})); then
		compadd -a found
	else
		_files
	fi
}
if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
	_ipsreplay "$@"
else
	compdef _ipsreplay ipsreplay
fi
