#compdef ctr
# zsh completion for ctr-ts. Load it with `source <(ctr completion zsh)` after compinit,
# or save it as `_ctr` in a directory of your $fpath.
_ctr() {
    local out directive line word desc
    local -a lines cands
    out=$(${words[1]} __complete zsh "${(@)words[2,CURRENT]}" 2>/dev/null) || return 1
    lines=("${(@f)out}")
    directive=${lines[-1]#:}
    lines=("${(@)lines[1,-2]}")
    for line in $lines; do
        [[ -z $line ]] && continue
        if [[ $line == *$'\t'* ]]; then
            word=${line%%$'\t'*}
            desc=${line#*$'\t'}
            cands+=("${word//:/\\:}:$desc")
        else
            cands+=("${line//:/\\:}")
        fi
    done
    if [[ $directive == 1 && ${#cands} -eq 0 ]]; then
        _files
        return
    fi
    _describe -t ctr 'ctr' cands
}
if (( $+functions[compdef] )); then
    compdef _ctr ctr
fi
