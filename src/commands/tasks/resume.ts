import { taskCallVerb } from '../../tasks/verbs.js';

export default taskCallVerb((task) => task.resume());
