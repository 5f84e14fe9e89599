# bash completion for ctr-ts (containerd's ctr re-implemented). Load it with
#   source <(ctr completion bash)
# or install it as /usr/share/bash-completion/completions/ctr.
# Candidates come from `ctr __complete bash <words>`, which knows the command tree and
# asks the daemon (honouring -a and -n typed earlier) for images, containers, tasks…
_ctr_ts() {
    local cur="${COMP_WORDS[COMP_CWORD]}"
    local -a args=("${COMP_WORDS[@]:1:COMP_CWORD}")
    local out
    out=$("${COMP_WORDS[0]}" __complete bash "${args[@]}" 2>/dev/null) || return 0
    local directive=${out##*:}
    out=${out%:*}
    COMPREPLY=()
    local line
    while IFS= read -r line; do
        [[ -n $line ]] && COMPREPLY+=("$line")
    done <<<"$out"
    if [[ $directive == 1 && ${#COMPREPLY[@]} -eq 0 ]]; then
        compopt -o filenames 2>/dev/null
        mapfile -t COMPREPLY < <(compgen -f -- "$cur")
    fi
    return 0
}
complete -F _ctr_ts ctr
