# bash completion for the flr binaries (flr-*), asking the binary itself.
# Options and subcommands are read from "<binary> [subcommand] --help".

_flr_help_words()
{
    local help
    help=$(LC_ALL=C "$@" --help 2>/dev/null) || return
    # Options: every --long-option in the help text.
    printf '%s\n' "$help" | grep -oE -- '(^|[ ,])--[a-z][a-z0-9-]*' | sed 's/^[ ,]*//' | sort -u
    # Subcommands: the first word of each line under the "Subcommands:" heading.
    printf '%s\n' "$help" | awk '/^Subcommands:/ {s=1; next} /^[A-Za-z]/ {s=0} s && NF {print $1}'
}

_flr_complete()
{
    local cur prev words cword
    if declare -F _init_completion >/dev/null; then
        _init_completion || return
    else
        cur=${COMP_WORDS[COMP_CWORD]}
        prev=${COMP_WORDS[COMP_CWORD-1]}
        words=("${COMP_WORDS[@]}")
        cword=$COMP_CWORD
    fi

    case $prev in
        --config|-c|--*-file|--replay|--output|--journal)
            COMPREPLY=($(compgen -f -- "$cur"))
            return
            ;;
        --monitor)
            COMPREPLY=($(compgen -W "no-monitoring monitoring monitoring-with-scratch monitoring-all
                monitoring-all-scratch monitoring-stable monitoring-stable-scratch" -- "$cur"))
            return
            ;;
    esac

    local cmd=(${words[0]}) i
    # A subcommand already typed narrows the help we read.
    for ((i = 1; i < cword; i++)); do
        case ${words[i]} in
            -*) ;;
            *)
                if _flr_help_words "${words[0]}" | grep -qx -- "${words[i]}"; then
                    cmd+=("${words[i]}")
                    break
                fi
                ;;
        esac
    done
    COMPREPLY=($(compgen -W "$(_flr_help_words "${cmd[@]}")" -- "$cur"))
}

# Register for every flr binary on PATH (and the one being completed), so a new
# tool needs no change here.
for _flr_cmd in $(compgen -c flr- | sort -u) ${1:+"$1"}; do
    complete -F _flr_complete "$_flr_cmd"
done
unset _flr_cmd
