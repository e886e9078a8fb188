DROP TABLE visitor_passes;
DROP TABLE emergency_phones;
DROP TABLE complaints;
DROP TABLE announcements;
DROP TABLE repairs;
DROP TABLE repair_categories;
