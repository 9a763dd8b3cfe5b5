#!/usr/bin/env bash
# make-man.sh BIN OUT: the man pages, each generated from one source: every
# program's own --help and --version (help2man, plus docs/man/common.h2m),
# and docs/man/*.scd (scdoc) for the pages that are not about a program
# (v3vee-config(5)). Writes OUT/NAME.SECTION.
set -euo pipefail
bin=${1:?usage: make-man.sh BIN OUT}
out=${2:?usage: make-man.sh BIN OUT}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
version=$(cat "$here/../../VERSION")
mkdir -p "$out"

# The one-line description of NAME (the NAME section of its page).
describe() {
    case $1 in
    palacios) echo "the Palacios virtual machine manager window" ;;
    build_vm) echo "build a Palacios guest image from an XML config and its files" ;;
    v3_info) echo "show the v3vee module on a host, or a VM's state and exit counters" ;;
    # The v3 tools say what they do on the second line of their --help.
    *) "$bin/$1" --help | sed -n '2{s/^ *//;s/\.$//;p}' ;;
    esac
}

for program in "$bin"/*; do
    name=$(basename "$program")
    [ -x "$program" ] && [ "$name" != v3tools ] || continue # v3tools: the tools' shared binary
    help2man --no-info --no-discard-stderr --section=1 --source="Palacios $version" \
        --manual="Palacios" --name="$(describe "$name")" \
        --include="$here/common.h2m" --output="$out/$name.1.tmp" "$program"
    mv "$out/$name.1.tmp" "$out/$name.1"
done
for page in "$here"/*.scd; do
    name=$(basename "$page" .scd)
    scdoc <"$page" >"$out/$name.tmp"
    mv "$out/$name.tmp" "$out/$name"
done
