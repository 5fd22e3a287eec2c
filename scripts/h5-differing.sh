# Sourced by scripts/bench-identical.sh and scripts/check-mpi.sh:
# `differing A.h5 B.h5` prints every object of the two result files that
# differs, dataset by dataset and attribute by attribute, less the root
# attributes that describe the writing (`created`, the date, and `threads`);
# nothing when the files hold the same numbers.
# The objects h5diff reports with a nonzero number of differences (or as
# not comparable), less the two allowed attributes.
# h5diff calls an empty dataset not comparable: those must have the same
# header (type and shape) in both files.
differing() {
    h5diff -r -c "$1" "$2" 2>&1 | awk '
        /^(attribute|dataset|group|datatype): / { obj = $0; next }
        /differences found/ { if ($1 + 0 > 0) print obj; next }
        /^Not comparable: .* is an empty dataset$/ { print "EMPTY " $3; next }
        /[Nn]ot comparable|not found|do not exist|exist only/ { print }
    ' | grep -v -e '^attribute: <created of </>>' -e '^attribute: <threads of </>>' \
        -e '^Some objects are not comparable' -e '^Use -c' |
        while read -r line; do
            case $line in
            "EMPTY "*)
                path=${line#EMPTY <}; path=${path%>}
                [ "$(h5dump -H -d "$path" "$1" 2>/dev/null | tail -n +2)" = \
                  "$(h5dump -H -d "$path" "$2" 2>/dev/null | tail -n +2)" ] || echo "empty dataset $path differs" ;;
            *) echo "$line" ;;
            esac
        done
}
