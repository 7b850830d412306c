#!/usr/bin/env bash
# Run make targets phase by phase, timing each, and print a table of phases and seconds at the end (also when
# one fails: the run stops after that phase, with a non-zero exit). A phase `a+b+c` runs its targets side by
# side (each one's output is shown when it ends, not interleaved); the others run alone.
# Usage: tools/phases.sh MAKE PHASE...
set -u
make_cmd=$1
shift
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
rows=() status=0
total_start=$SECONDS
label() { case $1 in venv) echo "installs" ;; *) echo "$1" ;; esac; }
for phase in "$@"; do
  IFS=+ read -r -a targets <<<"$phase"
  start=$SECONDS
  if [ "${#targets[@]}" -eq 1 ]; then
    "$make_cmd" --no-print-directory "$phase"
    code=$?
    rows+=("$(label "$phase")|$((SECONDS - start))|$code")
  else
    pids=()
    for target in "${targets[@]}"; do
      ( t0=$SECONDS; "$make_cmd" --no-print-directory "$target" >"$logs/$target.log" 2>&1
        code=$?; echo "$((SECONDS - t0)) $code" >"$logs/$target.done"; exit $code ) &
      pids+=($!)
    done
    code=0
    for i in "${!targets[@]}"; do
      wait "${pids[$i]}" || code=1
      target=${targets[$i]}
      echo "── $target"
      cat "$logs/$target.log"
      read -r took result <"$logs/$target.done"
      rows+=("  $(label "$target")|$took|$result")
    done
    rows+=("$(IFS=' '; echo "${targets[*]}" | tr ' ' '+') (side by side)|$((SECONDS - start))|$code")
  fi
  if [ "$code" -ne 0 ]; then status=$code; break; fi
done
echo
printf '%-44s %7s\n' "phase" "seconds"
printf '%-44s %7s\n' "--------------------------------------------" "-------"
for row in "${rows[@]}"; do
  IFS='|' read -r name took code <<<"$row"
  printf '%-44s %7d%s\n' "$name" "$took" "$([ "$code" -ne 0 ] && echo '  FAILED')"
done
printf '%-44s %7d\n' "total" $((SECONDS - total_start))
exit "$status"
