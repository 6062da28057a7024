#!/usr/bin/env bash
# The Littlest JupyterHub: turn a fresh TLJH server into the class hub (the same roles as `python3 course.py hub`).
# Run as root on the TLJH machine, from a clone of the course (after TLJH's own bootstrap installer):
#   sudo hub/tljh/setup.sh roster.csv instructor ta1
# Not run here (TLJH installs itself as a systemd service); checked here: `bash -n` and the config it installs.
set -euo pipefail
roster=${1:?usage: setup.sh ROSTER.csv INSTRUCTOR [TA ...]}
instructor=${2:?usage: setup.sh ROSTER.csv INSTRUCTOR [TA ...]}
shift 2
tas=("$@")
course=$(cd "$(dirname "$0")/../.." && pwd)
user_env=/opt/tljh/user          # TLJH's environment for every user's server
exchange=/srv/nbgrader/exchange

# 1. The course's packages (torch pinned to the CPU build) in the users' environment.
"$user_env/bin/pip" install -c "$course/constraints.txt" -e "$course"

# 2. Users: one per roster row, instructors are admins. TLJH makes Linux users jupyter-<name>, so nbgrader's
#    student id must come from the hub user (JUPYTERHUB_USER), which hub/student/nbgrader_config.py does.
students=$(python3 -c "import sys; sys.path.insert(0, '$course/hub'); from classroom import read_roster; print(' '.join(read_roster('$roster')))")
for name in $students "${tas[@]}"; do tljh-config add-item users.allowed "$name"; done
tljh-config add-item users.admin "$instructor"
tljh-config add-item users.allowed "$instructor"
tljh-config set user_environment.default_app jupyterlab

# 3. The exchange, with nbgrader's permissions (root world-writable + sticky; inbound write-only for students).
python3 -c "import sys; sys.path.insert(0, '$course/hub'); from classroom import prepare_exchange; prepare_exchange('$exchange')"

# 4. Roles: every server reads hub/student (Assignment List and Validate only); staff servers read hub/staff
#    (formgrader on the course folder), chosen per user by jupyterhub_config.d/llmcourse.py.
install -d /etc/llmcourse
cp -r "$course/hub/student" "$course/hub/staff" /etc/llmcourse/
python3 - "$course" "$exchange" "$instructor" "${tas[@]}" > /etc/llmcourse/class.json <<'PY'
import json, sys
course, exchange, *staff = sys.argv[1:]
print(json.dumps({"course": course, "exchange": exchange, "staff": staff, "config": "/etc/llmcourse"}))
PY
cp "$course/hub/tljh/jupyterhub_config.d/llmcourse.py" /opt/tljh/config/jupyterhub_config.d/llmcourse.py

# 5. The course folder (gradebook, solutions with hidden tests) belongs to the staff: TLJH runs each server as
#    jupyter-<name>; the instructor owns it, TAs share its group, students' accounts cannot read it.
groupadd -f llmcourse-staff
for name in "$instructor" "${tas[@]}"; do
  id "jupyter-$name" >/dev/null 2>&1 || useradd -m "jupyter-$name"
  usermod -aG llmcourse-staff "jupyter-$name"
done
chown -R "jupyter-$instructor:llmcourse-staff" "$course/solutions" "$course/autograder"
chmod -R g+rwX,o-rwx "$course/solutions" "$course/autograder"
tljh-config reload
echo "class hub ready: $(echo $students | wc -w) students, instructor $instructor, TAs ${tas[*]:-none}"
