-- The report's field is now the ESCO skill group of a course's skills (worked out in Python
-- from the shipped vocabulary); courses stored before kept their first skill's URI, and the
-- report regroups them on first use. This index finds the ones left, and soon finds none.
CREATE INDEX offered_courses_old_field ON offered_courses (course_id)
    WHERE field LIKE 'http%' OR field = '-';
