# fish completion for ipsreplay. Load it with
#   ipsreplay completion fish | source
# or save it as ~/.config/fish/completions/ipsreplay.fish.
# The binary itself lists the commands and flags that fit
# (ipsreplay __complete WORDS... CURRENT); file names are completed too.
function __ipsreplay_complete
    set -l words (commandline -opc)
    ipsreplay __complete $words[2..-1] (commandline -ct) 2>/dev/null
end
complete -c ipsreplay -a '(__ipsreplay_complete)'
