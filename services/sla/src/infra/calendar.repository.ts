import { v7 as uuidv7 } from 'uuid';
import type { CalendarStore, SlaCalendar } from '../use-cases/config-ports.ts';
import type { CalendarDoc, CalendarModel } from './calendar.model.ts';

const toCalendar = ({ _id, ...rest }: CalendarDoc): SlaCalendar => ({ id: _id, ...rest });

export function createCalendarStore(Calendars: CalendarModel): CalendarStore {
  return {
    async create(c) {
      const now = new Date();
      const doc: CalendarDoc = { _id: uuidv7(), ...c, version: 1, createdAt: now, updatedAt: now };
      await Calendars.create(doc);
      return toCalendar(doc);
    },

    async list(orgId) {
      const docs = await Calendars.find({ orgId }).sort({ createdAt: 1, _id: 1 }).lean<CalendarDoc[]>();
      return docs.map(toCalendar);
    },

    async get(orgId, id) {
      const doc = await Calendars.findOne({ _id: id, orgId }).lean<CalendarDoc>();
      return doc ? toCalendar(doc) : null;
    },

    async getMany(orgId, ids) {
      if (ids.length === 0) return [];
      const docs = await Calendars.find({ orgId, _id: { $in: ids } }).lean<CalendarDoc[]>();
      return docs.map(toCalendar);
    },

    async update(orgId, id, change) {
      const doc = await Calendars.findOneAndUpdate(
        { _id: id, orgId },
        { $set: { ...change, updatedAt: new Date() }, $inc: { version: 1 } },
        { returnDocument: 'after' },
      ).lean<CalendarDoc>();
      return doc ? toCalendar(doc) : null;
    },
  };
}
