# fish completion for ctr-ts. Load it with `ctr completion fish | source`, or save it as
# ~/.config/fish/completions/ctr.fish.
function __ctr_ts_complete
    set -l tokens (commandline -opc)
    set -l cur (commandline -ct)
    set -l cmd $tokens[1]
    set -e tokens[1]
    set -l out ($cmd __complete fish $tokens "$cur" 2>/dev/null)
    or return
    set -l directive (string replace -r '^:' '' -- $out[-1])
    set -e out[-1]
    if test "$directive" = 1 -a (count $out) -eq 0
        __fish_complete_path "$cur"
        return
    end
    printf '%s\n' $out
end
complete -c ctr -f -a '(__ctr_ts_complete)'
