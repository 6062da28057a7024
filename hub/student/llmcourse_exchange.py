"""nbgrader's exchange submit with private permissions (the student's nbgrader_config.py selects it).

nbgrader's own submit leaves a submission's files world-readable (0644 in a 0777 folder) and relies on the
write-only inbound to hide its name. Here the submission is readable by its owner and by the inbound's group only
(the instructors': inbound is setgid), so another student cannot read it even knowing its exact path.
"""
import os

from nbgrader.exchange.default.submit import ExchangeSubmit

FILE_MODE, FOLDER_MODE = 0o640, 0o770


class PrivateSubmit(ExchangeSubmit):
    def copy_files(self):
        super().copy_files()
        submission = os.path.join(self.inbound_path, self.assignment_filename)
        for folder, _, files in os.walk(submission):
            os.chmod(folder, FOLDER_MODE)
            for name in files:
                os.chmod(os.path.join(folder, name), FILE_MODE)
