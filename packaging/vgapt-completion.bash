# bash completion for vgapt-client, vgapt-guest, vgapt-setup and vgapt-bench.
#
# The subcommands, options, their arguments and choices are read from the program's own --help
# (and 'PROGRAM SUBCOMMAND --help') each time, so the completion always matches the program
# that is installed, or the one typed by its path. Installed once per program name so that
# bash-completion loads it on first use; sourcing it by hand works too.

# Reads "$@ --help" into _vgapt_opts (every --long and --no-long), _vgapt_cmds (subcommands),
# _vgapt_arg[OPT] (the placeholder of an option that takes a value) and _vgapt_choices[OPT].
_vgapt_scan()
{
    _vgapt_opts=()
    _vgapt_cmds=()
    _vgapt_arg=()
    _vgapt_choices=()
    # "  -s, --shm FILE    help": one space before the placeholder, two or more before the help.
    local re_opt='^ +(-([[:alnum:]]), )?--([^ ]+)( ([^ ]+))? {2,}(.*)$'
    local re_usage='^Usage: [^ ]+ \[([a-z|-]+)\]'
    local re_cmd='^  ([a-z][a-z0-9-]*) +[^ ]'
    local re_choices='One of: ([^.]*)\.'
    local line name short arg help in_cmds=
    while IFS= read -r line; do
        if [[ $line == Commands: || $line == Subcommands: ]]; then
            in_cmds=1
        elif [[ -z $line ]]; then
            in_cmds=
        elif [[ $line =~ $re_opt ]]; then
            short=${BASH_REMATCH[2]} name=${BASH_REMATCH[3]} arg=${BASH_REMATCH[5]}
            help=${BASH_REMATCH[6]}
            if [[ $name == "[no-]"* ]]; then
                name=${name#"[no-]"}
                _vgapt_opts+=("--$name" "--no-$name")
                continue
            fi
            _vgapt_opts+=("--$name")
            [[ -n $arg ]] || continue
            _vgapt_arg[--$name]=$arg
            [[ -n $short ]] && _vgapt_arg[-$short]=$arg
            if [[ $help =~ $re_choices ]]; then
                _vgapt_choices[--$name]=${BASH_REMATCH[1]//,/}
            elif [[ $arg == *'|'* ]]; then
                _vgapt_choices[--$name]=${arg//|/ }
            fi
            [[ -n $short && -n ${_vgapt_choices[--$name]-} ]] &&
                _vgapt_choices[-$short]=${_vgapt_choices[--$name]}
        elif [[ -n $in_cmds && $line =~ $re_cmd ]]; then
            _vgapt_cmds+=("${BASH_REMATCH[1]}")
        elif [[ $line =~ $re_usage ]]; then
            local -a listed
            IFS='|' read -ra listed <<<"${BASH_REMATCH[1]}"
            _vgapt_cmds+=("${listed[@]}")
        fi
    done < <("$@" --help 2>/dev/null)
}

_vgapt()
{
    local -a _vgapt_opts _vgapt_cmds
    local -A _vgapt_arg _vgapt_choices
    local prog=${COMP_WORDS[0]} cur=${COMP_WORDS[COMP_CWORD]} prev='' sub='' i c
    ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
    # --name=value: bash splits the '=' into a word of its own.
    if [[ $cur == = ]]; then
        cur=
    elif [[ $prev == = ]] && ((COMP_CWORD > 1)); then
        prev=${COMP_WORDS[COMP_CWORD - 2]}
    fi
    COMPREPLY=()

    _vgapt_scan "$prog"
    for ((i = 1; i < COMP_CWORD; i++)); do
        for c in "${_vgapt_cmds[@]}"; do
            [[ ${COMP_WORDS[i]} == "$c" ]] && sub=$c && break 2
        done
    done
    [[ -n $sub ]] && _vgapt_scan "$prog" "$sub"

    local arg=${_vgapt_arg[$prev]-}
    if [[ -n $arg ]]; then
        if [[ -n ${_vgapt_choices[$prev]-} ]]; then
            mapfile -t COMPREPLY < <(compgen -W "${_vgapt_choices[$prev]}" -- "$cur")
        elif [[ $arg == FILE ]]; then
            compopt -o filenames 2>/dev/null
            mapfile -t COMPREPLY < <(compgen -f -- "$cur")
        elif [[ $arg == DIR ]]; then
            compopt -o filenames 2>/dev/null
            mapfile -t COMPREPLY < <(compgen -d -- "$cur")
        fi
        return 0
    fi
    if [[ $cur == -* ]]; then
        mapfile -t COMPREPLY < <(compgen -W "${_vgapt_opts[*]}" -- "$cur")
    elif [[ -z $sub ]]; then
        mapfile -t COMPREPLY < <(compgen -W "${_vgapt_cmds[*]}" -- "$cur")
    fi
    return 0
}

complete -F _vgapt vgapt-client vgapt-guest vgapt-setup vgapt-bench
