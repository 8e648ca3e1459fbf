-- Where each course takes place, as the catalog places it (issue 18, one geography): the
-- course's own coordinates, else its postcode's centre, else its town's, anywhere in Germany
-- (zll.platform.geography.course_point, set at ingest by store_counselling). The
-- recommendation query's distance test uses this point; before, it listed only the region's
-- own towns and so dropped courses in a town outside the region that counselling accepted.
ALTER TABLE course_supply
    ADD COLUMN postcode  text,
    ADD COLUMN placed    boolean,            -- NULL: not placed yet (the query lets it through)
    ADD COLUMN point_lat double precision,   -- NULL when placed: a place nobody can locate
    ADD COLUMN point_lon double precision;

-- Courses learned before: own coordinates win, as in course_point; the others are placed by
-- the service at start-up (store_counselling.place_unplaced), in Python, with the geography.
UPDATE course_supply SET
    postcode  = course->'location'->>'postcode',
    placed    = CASE WHEN lat IS NOT NULL AND lon IS NOT NULL THEN true END,
    point_lat = CASE WHEN lon IS NOT NULL THEN lat END,
    point_lon = CASE WHEN lat IS NOT NULL THEN lon END
WHERE course IS NOT NULL;
