-- Indexes for the search filters and the overlap report; `document` keeps the course as last
-- announced (course-published or course-withdrawn payload).
CREATE INDEX courses_funding ON courses USING gin (funding);
CREATE INDEX courses_target_groups ON courses USING gin (target_groups);
CREATE INDEX courses_eqf_levels ON courses USING gin (eqf_levels);
CREATE INDEX courses_live_municipality ON courses (municipality, start_date, course_id)
    WHERE status = 'live';
